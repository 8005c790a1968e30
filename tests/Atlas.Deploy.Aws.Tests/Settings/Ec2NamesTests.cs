using Atlas.Deploy.Aws.Settings;

namespace Atlas.Deploy.Aws.Tests.Settings;

public sealed class Ec2NamesTests
{
    [Theory]
    [InlineData("203.0.113.7/32", "203.0.113.7/32")]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    public void ParseCidr_Block_Canonical(string value, string expected) => Ec2Names.ParseCidr(value, out _).ShouldBe(expected);

    [Theory]
    [InlineData("10.1.2.3/8", "bits are set past /8")]
    [InlineData("300.1.1.1/32", "not a CIDR block")]
    [InlineData("10.0.0.0/33", "not a CIDR block")]
    [InlineData("2001:db8::/32", "not IPv4")]
    [InlineData("", "not a CIDR block")]
    public void ParseCidr_NotABlock_NullAndWhy(string value, string reason)
    {
        Ec2Names.ParseCidr(value, out var why).ShouldBeNull();
        why.ShouldNotBeNull().ShouldContain(reason);
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    public void ParseDuration_Valid_Seconds(string value, int seconds) => Ec2Names.ParseDuration(value).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("ten")]
    [InlineData("10m5h")]
    public void ParseDuration_Invalid_Null(string value) => Ec2Names.ParseDuration(value).ShouldBeNull();

    [Theory]
    [InlineData("m5.large", true, false)]
    [InlineData("g4dn.xlarge", true, true)]
    [InlineData("p4d.24xlarge", true, true)]
    [InlineData("m5.enormous", false, false)]
    [InlineData("m5", false, false)]
    [InlineData("M5.large", false, false)]
    public void InstanceTypes_KnownAndAccelerated(string value, bool known, bool accelerated)
    {
        Ec2Names.IsKnownInstanceType(value).ShouldBe(known);
        Ec2Names.IsAcceleratedInstanceType(value).ShouldBe(accelerated);
    }
}

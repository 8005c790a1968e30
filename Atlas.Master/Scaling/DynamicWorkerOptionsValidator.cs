using System.Globalization;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Scaling;

/// <summary>Says in words which dynamic-worker setting is wrong, at start; nothing is checked while they are off.</summary>
internal sealed class DynamicWorkerOptionsValidator : IValidateOptions<DynamicWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, DynamicWorkerOptions o)
    {
        var errors = new List<string>();
        const string s = DynamicWorkerOptions.Section;
        if (o.MaxWorkers < 0)
        {
            errors.Add($"{s}:MaxWorkers must be 0 (off) or more (is {o.MaxWorkers}).");
        }
        if (!o.Enabled)
        {
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
        if (string.IsNullOrWhiteSpace(o.ClusterId))
        {
            errors.Add($"{s}:ClusterId must be set when MaxWorkers is above 0: it is the tag that marks this cluster's instances.");
        }
        if (string.IsNullOrWhiteSpace(o.LaunchTemplateName))
        {
            errors.Add($"{s}:LaunchTemplateName must be set when MaxWorkers is above 0.");
        }
        if (!string.IsNullOrEmpty(o.ServiceUrl) && !Uri.TryCreate(o.ServiceUrl, UriKind.Absolute, out _))
        {
            errors.Add($"{s}:ServiceUrl must be an absolute URL (is '{o.ServiceUrl}').");
        }
        if (o.SlotsPerWorker < 1)
        {
            errors.Add($"{s}:SlotsPerWorker must be at least 1 (is {o.SlotsPerWorker}).");
        }
        if (o.MaxIdleSeconds <= 0)
        {
            errors.Add($"{s}:MaxIdleSeconds must be above 0 (is {o.MaxIdleSeconds}).");
        }
        if (o.IdleShutdownMinutes < 0)
        {
            errors.Add($"{s}:IdleShutdownMinutes must be 0 (never) or more (is {o.IdleShutdownMinutes}).");
        }
        if (o.BootGraceSeconds <= 0 || o.CheckIntervalSeconds <= 0)
        {
            errors.Add($"{s}:BootGraceSeconds and CheckIntervalSeconds must be above 0.");
        }
        if (!string.IsNullOrEmpty(o.SpotMaxPrice))
        {
            if (!o.Spot)
            {
                errors.Add($"{s}:SpotMaxPrice is set but Spot is false.");
            }
            if (!decimal.TryParse(o.SpotMaxPrice, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) || price <= 0)
            {
                errors.Add($"{s}:SpotMaxPrice must be a price in USD like 0.45 (is '{o.SpotMaxPrice}').");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

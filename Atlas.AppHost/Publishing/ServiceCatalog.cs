using System.Text;

namespace Atlas.AppHost.Publishing;

/// <summary>
/// Walks the app model and describes each project and container as a <see cref="DeployableService"/>:
/// the one place that reads Aspire's annotations (environment and argument callbacks, endpoints,
/// mounts, waits), so that a resource added to the model reaches every deploy target (compose,
/// bare metal, EC2) without a target naming it. Parameters stay references: targets decide where
/// secrets go.
/// </summary>
public static class ServiceCatalog
{
    /// <summary>The variable of the telemetry resource that holds its OTLP API key (senders send it as a header).</summary>
    public const string OtlpKeyVariable = "Dashboard__Otlp__PrimaryApiKey";

    /// <summary>The services of <paramref name="model"/>, sorted by name, and the parameters they use.</summary>
    /// <param name="model">The app model (<c>PipelineStepContext.Model</c>).</param>
    /// <param name="execution">Publish mode's execution context, handed to the callbacks.</param>
    /// <param name="repoRoot">The repository: project paths and mounted files are written relative to it.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    public static async Task<(IReadOnlyList<DeployableService> Services, IReadOnlyList<ParameterResource> Parameters)> DescribeAsync(
        DistributedApplicationModel model, DistributedApplicationExecutionContext execution, string repoRoot, CancellationToken cancellationToken)
    {
        // Aspire creates some parameters (Redis's password) without adding them to the model: collect what values use.
        var parameters = new HashSet<ParameterResource>(model.Resources.OfType<ParameterResource>());
        var deployable = model.Resources.Where(r => r is ProjectResource or ContainerResource).ToList();
        var telemetry = deployable.FirstOrDefault(r => RoleOf(r) == ServiceRole.Telemetry);
        var services = new List<DeployableService>();
        foreach (var resource in deployable)
        {
            services.Add(await DescribeAsync(resource, telemetry, execution, repoRoot, parameters, cancellationToken));
        }
        var byName = services.ToDictionary(s => s.Name);
        if (telemetry is not null)
        {
            // Senders need the dashboard's OTLP key; it is the telemetry resource's own variable.
            var key = byName[telemetry.Name].Variable(OtlpKeyVariable);
            services = [.. services.Select(s => s.Name == telemetry.Name || !deployable.Single(r => r.Name == s.Name).Annotations.OfType<OtlpExporterAnnotation>().Any()
                ? s
                : WithTelemetry(s, byName[telemetry.Name], key))];
        }
        return ([.. services.OrderBy(s => s.Name, StringComparer.Ordinal)], [.. parameters.OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }

    /// <summary>What <paramref name="resource"/> is.</summary>
    public static ServiceRole RoleOf(IResource resource) => resource switch
    {
        RedisResource => ServiceRole.Redis,
        ProjectResource project => Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath) switch
        {
            "Atlas.Master" => ServiceRole.Master,
            "Atlas.Worker" => ServiceRole.Worker,
            "Atlas.Gateway" => ServiceRole.Gateway,
            _ => ServiceRole.Service,
        },
        ContainerResource when Image(resource) is { } image && image.Contains("aspire-dashboard", StringComparison.Ordinal) => ServiceRole.Telemetry,
        ContainerResource when Image(resource) is { } image && image.Contains("keycloak", StringComparison.Ordinal) => ServiceRole.Keycloak,
        _ => ServiceRole.Service,
    };

    private static async Task<DeployableService> DescribeAsync(
        IResource resource, IResource? telemetry, DistributedApplicationExecutionContext execution, string repoRoot, HashSet<ParameterResource> parameters, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, object>();
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(new EnvironmentCallbackContext(execution, resource, variables, cancellationToken));
        }
        var args = new List<object>();
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(new CommandLineArgsCallbackContext(args, resource, cancellationToken));
        }
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>()
            .Select(e =>
            {
                var target = e.TargetPort ?? e.Port
                    ?? throw new InvalidOperationException($"{resource.Name}: endpoint '{e.Name}' needs a port to be deployed (WithHttpEndpoint(targetPort: …))");
                return new DeployEndpoint(e.Name, e.UriScheme, target, e.Port ?? target, e.IsExternal);
            })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var environment = variables
            .Select(v => KeyValuePair.Create(v.Key, ToValue(resource, v.Key, v.Value, parameters)))
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .ToList();
        var mounts = resource.Annotations.OfType<ContainerMountAnnotation>()
            .Select(m => ToMount(resource, m, repoRoot))
            .OrderBy(m => m.Target, StringComparer.Ordinal)
            .ToList();
        var waits = resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name)
            .Concat(telemetry is not null && telemetry != resource && resource.Annotations.OfType<OtlpExporterAnnotation>().Any() ? [telemetry.Name] : [])
            .Distinct().Order(StringComparer.Ordinal).ToList();
        return new DeployableService(
            resource.Name,
            RoleOf(resource),
            resource is ProjectResource project ? Relative(repoRoot, project.GetProjectMetadata().ProjectPath) : null,
            Image(resource),
            (resource as ContainerResource)?.Entrypoint,
            Arguments(resource, args, parameters),
            endpoints,
            environment,
            mounts,
            waits);
    }

    // A container with shell execution (Aspire's Redis) runs its arguments as one `sh -c` line.
    private static List<DeployValue> Arguments(IResource resource, List<object> args, HashSet<ParameterResource> parameters)
    {
        var values = args.Select((a, i) => ToValue(resource, $"argument {i}", a, parameters)).ToList();
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // Read only, to write what Aspire's manifest writes.
        if (resource is not ContainerResource { ShellExecution: true } || values.Count == 0)
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
        {
            return values;
        }
        var line = new List<ValuePart>();
        foreach (var value in values)
        {
            if (line.Count > 0)
            {
                line.Add(ValuePart.Literal(" "));
            }
            line.AddRange(value.Parts);
        }
        return [DeployValue.Literal("-c"), new DeployValue(line)];
    }

    private static DeployableService WithTelemetry(DeployableService service, DeployableService telemetry, DeployValue? key)
    {
        var otlp = telemetry.Endpoints.FirstOrDefault(e => e.Name == "otlp")
            ?? throw new InvalidOperationException($"{telemetry.Name} needs an endpoint named 'otlp'");
        var added = new List<KeyValuePair<string, DeployValue>>
        {
            KeyValuePair.Create("OTEL_EXPORTER_OTLP_ENDPOINT", new DeployValue([new ValuePart(ValuePartKind.Endpoint, "", telemetry.Name, otlp.Name, EndpointProperty.Url)])),
            KeyValuePair.Create("OTEL_SERVICE_NAME", DeployValue.Literal(service.Name)),
        };
        if (key is not null)
        {
            added.Add(KeyValuePair.Create("OTEL_EXPORTER_OTLP_HEADERS", new DeployValue([ValuePart.Literal("x-otlp-api-key="), .. key.Parts])));
        }
        var environment = service.Environment.Where(e => added.All(a => a.Key != e.Key)).Concat(added)
            .OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        return service with { Environment = environment };
    }

    /// <summary>An Aspire value (text, reference expression, endpoint, parameter, connection string) as parts.</summary>
    private static DeployValue ToValue(IResource resource, string what, object? value, HashSet<ParameterResource> parameters)
    {
        var parts = new List<ValuePart>();
        Append(resource, what, value, null, parts, parameters);
        return new DeployValue(parts);
    }

    private static void Append(IResource resource, string what, object? value, string? format, List<ValuePart> parts, HashSet<ParameterResource> parameters)
    {
        switch (value)
        {
            case null:
                break;
            case string text:
                parts.Add(ValuePart.Literal(text));
                break;
            case ReferenceExpression { IsConditional: true } conditional:
                // Aspire's "TLS on?" switch in Redis's connection string: deployed Redis runs on the
                // private network without TLS, so the false branch.
                Append(resource, what, conditional.WhenFalse, format, parts, parameters);
                break;
            case ReferenceExpression expression:
                AppendFormat(resource, what, expression, parts, parameters);
                break;
            case EndpointReference endpoint:
                parts.Add(new ValuePart(ValuePartKind.Endpoint, "", endpoint.Resource.Name, endpoint.EndpointName, EndpointProperty.Url));
                break;
            case EndpointReferenceExpression property:
                parts.Add(new ValuePart(ValuePartKind.Endpoint, "", property.Endpoint.Resource.Name, property.Endpoint.EndpointName, property.Property));
                break;
            case ParameterResource parameter:
                parameters.Add(parameter);
                parts.Add(new ValuePart(ValuePartKind.Parameter, "", parameter.Name, Secret: parameter.Secret, Format: format));
                break;
            case ConnectionStringReference reference:
                Append(resource, what, reference.Resource.ConnectionStringExpression, format, parts, parameters);
                break;
            case IResourceWithConnectionString withConnectionString:
                Append(resource, what, withConnectionString.ConnectionStringExpression, format, parts, parameters);
                break;
            case IFormattable formattable:
                parts.Add(ValuePart.Literal(formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture)));
                break;
            default:
                throw new NotSupportedException($"{resource.Name}: {what} is a {value.GetType().Name}, which the deploy targets cannot write");
        }
    }

    // ReferenceExpression.Format is a composite format: {0}, {1}… for its value providers, {{ }} for braces.
    private static void AppendFormat(IResource resource, string what, ReferenceExpression expression, List<ValuePart> parts, HashSet<ParameterResource> parameters)
    {
        var format = expression.Format;
        var literal = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            var end = format.IndexOf('}', i);
            var index = int.Parse(format.AsSpan(i + 1, end - i - 1), System.Globalization.CultureInfo.InvariantCulture);
            if (literal.Length > 0)
            {
                parts.Add(ValuePart.Literal(literal.ToString()));
                literal.Clear();
            }
            var stringFormat = index < expression.StringFormats.Count ? expression.StringFormats[index] : null;
            Append(resource, what, expression.ValueProviders[index], stringFormat, parts, parameters);
            i = end;
        }
        if (literal.Length > 0)
        {
            parts.Add(ValuePart.Literal(literal.ToString()));
        }
    }

    private static DeployMount ToMount(IResource resource, ContainerMountAnnotation mount, string repoRoot)
    {
        if (mount.Type == ContainerMountType.Volume)
        {
            return new DeployMount(mount.Source ?? throw new InvalidOperationException($"{resource.Name}: an anonymous volume at {mount.Target} cannot be deployed; name it"), mount.Target, false, mount.IsReadOnly);
        }
        var source = Path.GetFullPath(mount.Source!);
        if (!source.StartsWith(repoRoot.TrimEnd('/') + "/", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{resource.Name}: bind mount {source} is outside the repository; deploy targets copy only the repository's files");
        }
        return new DeployMount(Path.Combine("files", Relative(repoRoot, source)), mount.Target, true, mount.IsReadOnly);
    }

    private static string? Image(IResource resource) =>
        resource.Annotations.OfType<ContainerImageAnnotation>().LastOrDefault() is { } image
            ? (image.Registry is null ? "" : image.Registry + "/") + image.Image + (image.Tag is null ? "" : ":" + image.Tag)
            : null;

    private static string Relative(string repoRoot, string path) => Path.GetRelativePath(repoRoot, path).Replace('\\', '/');
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Store.Hosting;

/// <summary>
/// Checks the configuration section <see cref="StoreOptions"/> were bound from when the host starts
/// (see <see cref="StoreConfiguration"/>): keys that are no setting and values that do not convert
/// fail the start with the other validation problems, in the same format.
/// </summary>
/// <param name="section">The <c>Store</c> section.</param>
public sealed class StoreConfigurationValidator(IConfigurationSection section) : IValidateOptions<StoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var problems = StoreConfiguration.Check(section);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

using Athos.Webhooks.Cli.Commands;

namespace Athos.Webhooks.Tests.Simulator;

/// <summary><c>athos-webhooks simulate --contract</c>: a bad value is named, with the values it takes, and exits 2.</summary>
public sealed class SimulateContractOptionTests
{
    [Theory]
    [InlineData("later")]
    [InlineData("Current ")]
    public async Task A_bad_contract_is_named_and_exits_2(string value)
    {
        var error = new StringWriter();

        var exit = await CliApp.Create().Parse(["simulate", "--contract", value]).InvokeAsync(new() { Output = new StringWriter(), Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains($"--contract must be early or current; got '{value}'.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_simulate_command_offers_contract_defaulting_to_early()
    {
        var simulate = CliApp.Create().Subcommands.Single(c => c.Name == "simulate");
        var parse = CliApp.Create().Parse(["simulate"]);

        var option = Assert.Single(simulate.Options, o => o.Name == "--contract");
        Assert.Contains("early", option.Description, StringComparison.Ordinal);
        Assert.Equal("early", parse.GetValue<string>("--contract"));
    }
}

using System.Runtime.InteropServices;

namespace Athos.Webhooks.Cli.Commands;

/// <summary>A token cancelled by Ctrl-C or SIGTERM, for commands that run until stopped.</summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public ConsoleCancellation()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _source.Dispose();
    }

    private void Cancel(PosixSignalContext context)
    {
        context.Cancel = true;
        _source.Cancel();
    }
}

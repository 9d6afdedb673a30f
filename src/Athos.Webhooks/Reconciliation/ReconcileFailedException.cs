namespace Athos.Webhooks.Reconciliation;

/// <summary>
/// A scheduled reconcile run failed (<see cref="Reconciler.RunOnScheduleAsync"/>). The run is already recorded in
/// <c>AthosState</c> (so health and <c>status</c> show it) and logged (event 4002); this tells the host's scheduler
/// that the occurrence failed. Public so that a host can tell it from a failure of its own.
/// </summary>
public sealed class ReconcileFailedException : Exception
{
    public ReconcileFailedException()
    {
    }

    public ReconcileFailedException(string? message)
        : base(message)
    {
    }

    public ReconcileFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

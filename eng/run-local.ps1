#!/usr/bin/env pwsh
<#
.SYNOPSIS
Runs Athos.Webhooks locally with no Azure account and no Functions Core Tools, on Windows, macOS or Linux: the pinned
Azurite (in memory) and `athos-webhooks serve` (webhook endpoint, queue worker, reconciler). The PowerShell twin of
eng/run-local.sh.

.DESCRIPTION
 - Without ATHOS_API_KEY: a demo against the built-in Athos simulator, which generates calls and delivers signed
   webhooks (20% dropped) that the reconciler visibly recovers.
 - With ATHOS_API_KEY and ATHOS_WHSEC set: against Athos itself.
 - With AzureWebJobsStorage set: that storage, and no Azurite.
Ctrl-C stops everything this script started.

.EXAMPLE
./eng/run-local.ps1
.EXAMPLE
./eng/run-local.ps1 -Urls http://127.0.0.1:8080
#>
[CmdletBinding()]
param(
    # Where the webhook endpoint listens.
    [string] $Urls = 'http://127.0.0.1:7071',
    # Azurite's ports (its defaults; other values give a connection string naming them).
    [int] $BlobPort = 10000,
    [int] $QueuePort = 10001,
    [int] $TablePort = 10002,
    # Use the athos-webhooks already built (src/Athos.Webhooks.Cli/bin/Release).
    [switch] $NoBuild,
    # Start everything, wait until the webhook endpoint answers, then stop it all and exit 0: a smoke test.
    [switch] $StopWhenReady,
    [int] $ReadyTimeoutSeconds = 120
)

$ErrorActionPreference = 'Stop'
Set-Location (Join-Path $PSScriptRoot '..')

if ($env:ATHOS_API_KEY -and -not $env:ATHOS_WHSEC) {
    [Console]::Error.WriteLine('ATHOS_API_KEY is set but ATHOS_WHSEC is not: set both to run against Athos, or neither for the demo.')
    exit 2
}

if (-not (Test-Path 'node_modules/azurite/dist/src/azurite.js')) {
    Write-Host 'Installing the pinned Azurite (npm ci)...'
    npm ci --no-audit --no-fund
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

if (-not $NoBuild) {
    Write-Host 'Building athos-webhooks...'
    dotnet build src/Athos.Webhooks.Cli -c Release --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

$children = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

function Start-Child([string] $file, [string[]] $arguments, [switch] $Quiet) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($file)
    foreach ($argument in $arguments) { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = [bool] $Quiet
    $info.RedirectStandardError = [bool] $Quiet
    $process = [System.Diagnostics.Process]::Start($info)
    if ($Quiet) {
        # Drain what it prints, as `> /dev/null` would.
        $null = $process.StandardOutput.ReadToEndAsync()
        $null = $process.StandardError.ReadToEndAsync()
    }
    $children.Add($process)
    return $process
}

function Stop-Child([System.Diagnostics.Process] $process) {
    if ($process.HasExited) { return }
    if (-not $IsWindows) {
        # SIGTERM first, as the shell script does, so that serve shuts down cleanly.
        & /bin/kill -TERM $process.Id 2>$null
        if ($process.WaitForExit(10000)) { return }
    }
    $process.Kill($true)
    $process.WaitForExit()
}

function Test-Port([int] $port) {
    $client = [System.Net.Sockets.TcpClient]::new()
    try { $client.Connect('127.0.0.1', $port); return $true } catch { return $false } finally { $client.Dispose() }
}

try {
    if (-not $env:AzureWebJobsStorage) {
        $azurite = Start-Child 'node' @(
            'node_modules/azurite/dist/src/azurite.js', '--silent', '--disableTelemetry', '--inMemoryPersistence',
            '--skipApiVersionCheck', '--loose',
            '--blobHost', '127.0.0.1', '--blobPort', "$BlobPort",
            '--queueHost', '127.0.0.1', '--queuePort', "$QueuePort",
            '--tableHost', '127.0.0.1', '--tablePort', "$TablePort") -Quiet
        foreach ($attempt in 1..50) {
            if (Test-Port $TablePort) { break }
            if ($azurite.HasExited) {
                [Console]::Error.WriteLine("Azurite did not start (are ports $BlobPort-$TablePort in use?).")
                exit 1
            }
            Start-Sleep -Milliseconds 200
        }
        $env:AzureWebJobsStorage = if ($BlobPort -eq 10000 -and $QueuePort -eq 10001 -and $TablePort -eq 10002) {
            'UseDevelopmentStorage=true'
        } else {
            'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
            'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
            "BlobEndpoint=http://127.0.0.1:$BlobPort/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QueuePort/devstoreaccount1;" +
            "TableEndpoint=http://127.0.0.1:$TablePort/devstoreaccount1;"
        }
        Write-Host "Azurite (in memory): blob $BlobPort, queue $QueuePort, table $TablePort."
    }

    $serveArguments = @('src/Athos.Webhooks.Cli/bin/Release/net10.0/athos-webhooks.dll', 'serve', '--urls', $Urls)
    if (-not $env:ATHOS_API_KEY) { $serveArguments += '--demo' }
    $serve = Start-Child 'dotnet' $serveArguments

    if ($StopWhenReady) {
        $webhook = "$($Urls.TrimEnd('/'))/api/athos/webhook"
        $deadline = [DateTime]::UtcNow.AddSeconds($ReadyTimeoutSeconds)
        while ($true) {
            if ($serve.HasExited) {
                [Console]::Error.WriteLine("athos-webhooks serve exited ($($serve.ExitCode)) before its webhook endpoint answered.")
                exit 1
            }
            try {
                # An unsigned delivery: the endpoint answers 401 once it is up.
                $answer = Invoke-WebRequest -Uri $webhook -Method Post -Body '{}' -ContentType 'application/json' -SkipHttpErrorCheck -TimeoutSec 5
                if ($answer.StatusCode -eq 401) { break }
            } catch {
                # Not listening yet.
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                [Console]::Error.WriteLine("The webhook endpoint $webhook did not answer within $ReadyTimeoutSeconds s.")
                exit 1
            }
            Start-Sleep -Milliseconds 500
        }
        Write-Host "Ready: $webhook answered 401 to an unsigned delivery. Stopping (-StopWhenReady)."
        exit 0
    }

    # Short waits, so that Ctrl-C is seen between them.
    while (-not $serve.WaitForExit(500)) { }
    exit $serve.ExitCode
}
finally {
    for ($i = $children.Count - 1; $i -ge 0; $i--) { Stop-Child $children[$i] }
}

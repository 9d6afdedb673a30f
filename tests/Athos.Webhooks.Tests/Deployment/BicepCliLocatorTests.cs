using System.Runtime.InteropServices;

namespace Athos.Webhooks.Tests.Deployment;

/// <summary>
/// The Bicep CLI locator over a fake file system and environment: every OS and architecture NuGet serves a package for,
/// package roots with and without a trailing separator, and each fallback. Only linux-x64 can be downloaded here.
/// </summary>
public sealed class BicepCliLocatorTests
{
    public sealed record LocatorCase(string Name, BicepOs Os, Architecture Architecture, string? BuildRoot, string[] Environment, string[] Files, string? Expected)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<LocatorCase> Cases() =>
    [
        new LocatorCase("NuGetPackageRoot with a trailing slash", BicepOs.Linux, Architecture.X64, "/home/dev/.nuget/packages/", [],
            ["/home/dev/.nuget/packages/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"],
            "/home/dev/.nuget/packages/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"),
        new LocatorCase("NuGetPackageRoot without a trailing slash (NUGET_PACKAGES=/ci/nuget)", BicepOs.Linux, Architecture.X64, "/ci/nuget", ["NUGET_PACKAGES=/ci/nuget"],
            ["/ci/nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"],
            "/ci/nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"),
        new LocatorCase("linux-arm64", BicepOs.Linux, Architecture.Arm64, "/home/dev/.nuget/packages/", [],
            ["/home/dev/.nuget/packages/azure.bicep.commandline.linux-arm64/0.49.2/tools/bicep", "/home/dev/.nuget/packages/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"],
            "/home/dev/.nuget/packages/azure.bicep.commandline.linux-arm64/0.49.2/tools/bicep"),
        new LocatorCase("osx-x64", BicepOs.MacOs, Architecture.X64, "/Users/dev/.nuget/packages/", [],
            ["/Users/dev/.nuget/packages/azure.bicep.commandline.osx-x64/0.49.2/tools/bicep"],
            "/Users/dev/.nuget/packages/azure.bicep.commandline.osx-x64/0.49.2/tools/bicep"),
        new LocatorCase("osx-arm64", BicepOs.MacOs, Architecture.Arm64, "/Users/dev/.nuget/packages", [],
            ["/Users/dev/.nuget/packages/azure.bicep.commandline.osx-arm64/0.49.2/tools/bicep"],
            "/Users/dev/.nuget/packages/azure.bicep.commandline.osx-arm64/0.49.2/tools/bicep"),
        new LocatorCase("win-x64", BicepOs.Windows, Architecture.X64, @"C:\Users\dev\.nuget\packages\", [],
            [@"C:\Users\dev\.nuget\packages\azure.bicep.commandline.win-x64\0.49.2\tools\bicep.exe"],
            @"C:\Users\dev\.nuget\packages\azure.bicep.commandline.win-x64\0.49.2\tools\bicep.exe"),
        new LocatorCase("win-arm64 without a trailing backslash", BicepOs.Windows, Architecture.Arm64, @"D:\nuget", [],
            [@"D:\nuget\azure.bicep.commandline.win-arm64\0.49.2\tools\bicep.exe"],
            @"D:\nuget\azure.bicep.commandline.win-arm64\0.49.2\tools\bicep.exe"),
        new LocatorCase("package under NUGET_PACKAGES when the build-time root lacks it", BicepOs.Linux, Architecture.X64, "/gone/", ["NUGET_PACKAGES=/cache/nuget/"],
            ["/cache/nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"],
            "/cache/nuget/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"),
        new LocatorCase("package under ~/.nuget/packages when nothing says where", BicepOs.MacOs, Architecture.Arm64, null, ["HOME=/Users/dev"],
            ["/Users/dev/.nuget/packages/azure.bicep.commandline.osx-arm64/0.49.2/tools/bicep"],
            "/Users/dev/.nuget/packages/azure.bicep.commandline.osx-arm64/0.49.2/tools/bicep"),
        new LocatorCase("another version of the package is not taken: bicep on PATH", BicepOs.Linux, Architecture.X64, "/n/", ["PATH=/usr/bin:/usr/local/bin"],
            ["/n/azure.bicep.commandline.linux-x64/0.48.1/tools/bicep", "/usr/local/bin/bicep"],
            "/usr/local/bin/bicep"),
        new LocatorCase("no package: bicep on PATH", BicepOs.MacOs, Architecture.X64, "/n", ["PATH=/opt/homebrew/bin:/usr/bin"],
            ["/opt/homebrew/bin/bicep"],
            "/opt/homebrew/bin/bicep"),
        new LocatorCase("no package: bicep.exe on a Windows Path (any case)", BicepOs.Windows, Architecture.X64, @"C:\n\", [@"Path=C:\Windows;C:\Program Files\Bicep CLI\"],
            [@"C:\Program Files\Bicep CLI\bicep.exe"],
            @"C:\Program Files\Bicep CLI\bicep.exe"),
        new LocatorCase("no package, nothing on PATH: the Azure CLI's", BicepOs.Linux, Architecture.Arm64, "/n/", ["HOME=/home/dev", "PATH=/usr/bin"],
            ["/home/dev/.azure/bin/bicep"],
            "/home/dev/.azure/bin/bicep"),
        new LocatorCase("the Azure CLI's under AZURE_CONFIG_DIR", BicepOs.Linux, Architecture.X64, null, ["HOME=/home/dev", "AZURE_CONFIG_DIR=/etc/az"],
            ["/etc/az/bin/bicep", "/home/dev/.azure/bin/bicep"],
            "/etc/az/bin/bicep"),
        new LocatorCase("the Azure CLI's on Windows", BicepOs.Windows, Architecture.Arm64, null, [@"USERPROFILE=C:\Users\dev"],
            [@"C:\Users\dev\.azure\bin\bicep.exe"],
            @"C:\Users\dev\.azure\bin\bicep.exe"),
        new LocatorCase("no package for linux-x86: bicep on PATH", BicepOs.Linux, Architecture.X86, "/n/", ["PATH=/usr/bin"],
            ["/n/azure.bicep.commandline.linux-x86/0.49.2/tools/bicep", "/usr/bin/bicep"],
            "/usr/bin/bicep"),
        new LocatorCase("nothing anywhere", BicepOs.Linux, Architecture.X64, "/n/", ["HOME=/home/dev", "PATH=/usr/bin"], [], null),
        new LocatorCase("nothing anywhere on a platform NuGet serves no package for", BicepOs.Other, Architecture.X64, "/n/", ["HOME=/home/dev"], [], null),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Finds_the_CLI_for_the_platform_or_falls_back_in_order(LocatorCase @case)
    {
        var files = @case.Files.ToHashSet(StringComparer.Ordinal);
        var environment = @case.Environment.Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1], StringComparer.Ordinal);

        var found = BicepCliLocator.Resolve(new BicepHost(@case.Os, @case.Architecture, environment, @case.BuildRoot, "0.49.2", files.Contains));

        Assert.Equal(@case.Expected, found.Path);
        Assert.Equal(@case.Expected is null, found.Problem is not null);
        Assert.Equal(found.Path is not null && found.Path.Contains("azure.bicep.commandline.", StringComparison.Ordinal), found.FromPackage);
    }

    [Fact]
    public void When_nothing_is_found_the_message_names_the_package_to_restore_and_the_alternatives()
    {
        var found = BicepCliLocator.Resolve(new BicepHost(BicepOs.MacOs, Architecture.Arm64, new Dictionary<string, string> { ["HOME"] = "/Users/dev", ["PATH"] = "/usr/bin" }, "/Users/dev/.nuget/packages/", "0.49.2", _ => false));

        Assert.Null(found.Path);
        Assert.StartsWith("The Bicep CLI was not found. Restore the test project (`dotnet restore tests/Athos.Webhooks.Tests`, which downloads the NuGet package Azure.Bicep.CommandLine.osx-arm64 0.49.2), or install the Azure CLI's (`az bicep install`), or put a `bicep` on PATH.", found.Problem, StringComparison.Ordinal);
        Assert.Contains("/Users/dev/.nuget/packages/azure.bicep.commandline.osx-arm64/0.49.2/tools/bicep", found.Problem, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/bicep", found.Problem, StringComparison.Ordinal);
        Assert.Contains("/Users/dev/.azure/bin/bicep", found.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Where_NuGet_serves_no_package_the_message_says_so()
    {
        var found = BicepCliLocator.Resolve(new BicepHost(BicepOs.Linux, Architecture.X86, new Dictionary<string, string>(), null, "0.49.2", _ => false));

        Assert.StartsWith("The Bicep CLI was not found. NuGet serves no Bicep CLI package for Linux/X86: install the Azure CLI's (`az bicep install`) or put a `bicep` on PATH.", found.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_platform_NuGet_serves_maps_to_its_package()
    {
        var mapped = new[] { BicepOs.Linux, BicepOs.MacOs, BicepOs.Windows }
            .SelectMany(os => new[] { Architecture.X64, Architecture.Arm64 }.Select(arch => BicepCliLocator.PackageId(os, arch)))
            .ToList();

        Assert.Equal(BicepCliLocator.PackagedRuntimes.Select(rid => "Azure.Bicep.CommandLine." + rid).Order(), mapped.Order());
    }

    [Fact]
    public void The_package_the_build_downloaded_is_the_one_the_locator_looks_for_on_this_machine()
    {
        var host = BicepCliLocator.CurrentHost(null, BicepCli.Version);

        Assert.Equal(BicepCliLocator.PackageId(host.Os, host.Architecture), BicepCli.DownloadedPackage);
        Assert.True(BicepCli.Located.Path is not null, BicepCli.Located.Problem);
    }
}

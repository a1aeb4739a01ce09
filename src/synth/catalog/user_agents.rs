//! User-agent strings in the forms the clients send them.

use std::fmt::Write as _;

/// How Azure CLI spells itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CliForm {
    /// `azure-cli/2.78.0 …`.
    Lower,
    /// `AZURECLI/2.78.0 (DEB) …`.
    Upper,
}

/// An Azure CLI user agent; `suffix` carries CI markers (`AZURE_HTTP_USER_AGENT`).
pub(crate) fn azure_cli(form: CliForm, version: &str, platform: &str, suffix: &str) -> String {
    let mut ua = String::with_capacity(160);
    let _ = match form {
        CliForm::Lower => write!(
            ua,
            "azure-cli/{version} azsdk-python-core/1.32.0 Python/3.12.8 ({platform}) MSAL.Python/1.31.1"
        ),
        CliForm::Upper => write!(
            ua,
            "AZURECLI/{version} (DEB) azsdk-python-core/1.32.0 Python/3.12.8 ({platform})"
        ),
    };
    if !suffix.is_empty() {
        ua.push(' ');
        ua.push_str(suffix);
    }
    ua
}

/// An Az PowerShell user agent (`version` without the `v`).
pub(crate) fn az_powershell(version: &str, windows: bool) -> String {
    if windows {
        format!(
            "FxVersion/8.0.1124.51707 OSName/Windows OSVersion/Microsoft.Windows.10.0.26100 AzurePowershell/v{version} PSVersion/7.4.6"
        )
    } else {
        format!(
            "FxVersion/8.0.1124.51707 OSName/Linux OSVersion/Ubuntu.22.04 AzurePowershell/v{version} PSVersion/7.4.6"
        )
    }
}

/// Platforms Azure CLI reports.
pub(crate) static CLI_PLATFORMS: [&str; 4] = [
    "Windows-11-10.0.26100-SP0",
    "Linux-6.8.0-1021-azure-x86_64-with-glibc2.39",
    "macOS-15.1-arm64-arm-64bit",
    "Linux-5.15.167.4-microsoft-standard-WSL2-x86_64-with-glibc2.35",
];

/// Current Azure CLI versions (all at or above 2.76).
pub(crate) static CLI_CURRENT: [&str; 5] = ["2.76.0", "2.77.0", "2.78.0", "2.79.0", "2.80.0"];
/// Current Az PowerShell versions (all at or above 14.3).
pub(crate) static PS_CURRENT: [&str; 4] = ["14.3.0", "14.4.0", "14.5.0", "14.6.0"];

/// Browsers.
pub(crate) static BROWSERS: [&str; 5] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
];

/// Microsoft 365 desktop and mobile clients.
pub(crate) static OFFICE_CLIENTS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0 Teams/24295.605.3225.8804/49",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)",
    "Microsoft SkyDriveSync 24.211.1020.0001 ship; Windows NT 10.0 (26100)",
    "Outlook-iOS/709.2226530.prod.iphone (4.2447.0)",
];

/// Visual Studio Code.
pub(crate) static VS_CODE: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.95.3 Chrome/128.0.6613.186 Electron/32.2.1 Safari/537.36";

/// The Azure mobile app.
pub(crate) static AZURE_MOBILE: [&str; 2] = [
    "Azure/5.34.1 (iPhone; iOS 18.1.1; Scale/3.00)",
    "Azure/5.34.0 (Android 15; Pixel 8)",
];

/// Service principals that log in with an old Azure CLI on a build agent (a workload
/// identity: never reported, whatever its client).
pub(crate) static SP_CLIENTS: [&str; 3] = [
    "azure-cli/2.60.0 azsdk-python-core/1.28.0 Python/3.11.8 (Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)",
    "Go/go1.23.2 (amd64-linux) go-autorest/v14.2.1 hashicorp/go-azure-sdk/v0.20241021.1074254 terraform-provider-azurerm/v4.8.0",
    "azsdk-net-Identity/1.13.1 (.NET 8.0.10; Microsoft Windows 10.0.20348)",
];

//! The texts and numbers Entra prints for methods, failures, devices and networks.

use super::super::catalog::people::City;
use super::super::plan::{Failure, Method};
use super::record::{Geo, Location};

/// Step text, step detail and `mfaDetail.authMethod` of a method.
pub(super) fn method_texts(m: Method) -> (&'static str, Option<&'static str>, &'static str) {
    match m {
        Method::Push => ("Mobile app notification", None, "PhoneAppNotification"),
        Method::Otp => ("OATH verification code", None, "PhoneAppOTP"),
        Method::Sms => ("Text message", None, "OneWaySMS"),
        Method::Fido2 => (
            "FIDO2 security key",
            Some("Passkey (device-bound)"),
            "FIDO2 security key",
        ),
        Method::Whfb => (
            "Windows Hello for Business",
            None,
            "Windows Hello for Business",
        ),
    }
}

/// `errorCode`, `failureReason` and `additionalDetails` of a failure.
pub(super) fn failure_texts(f: Failure) -> (u32, &'static str, Option<&'static str>) {
    match f {
        Failure::MfaRequired => (
            50076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'.",
            Some("MFA required in Azure AD"),
        ),
        Failure::BadPassword => (
            50126,
            "Error validating credentials due to invalid username or password.",
            None,
        ),
        Failure::Disabled => (
            50057,
            "User account is disabled. The account has been disabled by an administrator.",
            None,
        ),
        Failure::StrongAuthRequired => (
            50074,
            "Strong Authentication is required.",
            Some("MFA required in Azure AD"),
        ),
    }
}

/// `deviceDetail.operatingSystem` and `.browser` as Entra derives them from a user agent.
pub(super) fn os_and_browser(ua: &str) -> (&'static str, &'static str) {
    if ua.contains("iPhone") || ua.contains("Outlook-iOS") {
        ("Ios", "")
    } else if ua.contains("Android") {
        ("Android", "")
    } else if ua.contains("Macintosh") || ua.contains("macOS") {
        (
            "MacOs",
            if ua.contains("Safari/605") {
                "Safari 18.1"
            } else {
                ""
            },
        )
    } else if ua.contains("Linux") || ua.contains("X11") {
        (
            "Linux",
            if ua.contains("Chrome/") {
                "Chrome 130.0.0"
            } else {
                ""
            },
        )
    } else if ua.contains("Edg/") {
        ("Windows10", "Edge 130.0.0")
    } else if ua.contains("Firefox") {
        ("Windows10", "Firefox 132.0")
    } else if ua.contains("Chrome/") {
        ("Windows10", "Chrome 131.0.0")
    } else if ua.is_empty() {
        ("", "")
    } else {
        ("Windows10", "")
    }
}

/// The autonomous system an address belongs to.
pub(super) fn asn(ip: u32) -> u32 {
    match ip >> 24 {
        203 => 64_500,
        198 => 64_501,
        192 => 64_502,
        4 | 13 | 20 | 40 | 52 => 8075,
        107 | 166 | 174 => 21_928,
        _ => [3320, 7922, 2856, 3215][(ip & 3) as usize],
    }
}

/// The `location` of a place.
pub(super) fn location(city: &City) -> Location<'_> {
    Location {
        city: city.city,
        state: city.state,
        country_or_region: city.country,
        geo_coordinates: Geo {
            latitude: city.lat,
            longitude: city.lon,
        },
    }
}

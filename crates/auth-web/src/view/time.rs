//! Times as pages show them: relative while that is easier to read ("2 minutes ago"), the
//! date after a week; always with the exact time at hand, in a `<time>` element.

use leptos::prelude::*;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// A time as every page shows it in full: `2026-11-24 22:07 UTC`.
pub fn format_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

/// `t` as seen at `now`: "just now", "5 minutes ago", "3 hours ago", "2 days ago" (or "in 5
/// minutes" ahead), and the full date from a week away on, when counting stops helping.
pub fn relative_time(t: OffsetDateTime, now: OffsetDateTime) -> String {
    let apart = (now - t).abs();
    if apart < Duration::minutes(1) {
        return "just now".into();
    }
    let (count, unit) = if apart < Duration::hours(1) {
        (apart.whole_minutes(), "minute")
    } else if apart < Duration::days(1) {
        (apart.whole_hours(), "hour")
    } else if apart < Duration::weeks(1) {
        (apart.whole_days(), "day")
    } else {
        return format_time(t);
    };
    let plural = if count == 1 { "" } else { "s" };
    if t <= now {
        format!("{count} {unit}{plural} ago")
    } else {
        format!("in {count} {unit}{plural}")
    }
}

/// `<time datetime="2026-11-24T22:07:00Z" title="2026-11-24 22:07 UTC">2 minutes ago</time>`:
/// the relative text to read, the exact time for machines and on hover. `now` comes from the
/// app's clock (`state.table.now()`), so that tests can move time.
#[component]
pub fn RelativeTime(at: OffsetDateTime, now: OffsetDateTime) -> impl IntoView {
    let machine = at.format(&Rfc3339).unwrap_or_default();
    view! { <time datetime=machine title=format_time(at)>{relative_time(at, now)}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_read_relative_within_a_week_and_as_dates_after() {
        let now = datetime!(2026-11-24 22:07 UTC);
        let ago = |d: Duration| relative_time(now - d, now);
        assert_eq!(ago(Duration::seconds(20)), "just now");
        assert_eq!(ago(Duration::minutes(1)), "1 minute ago");
        assert_eq!(ago(Duration::minutes(59)), "59 minutes ago");
        assert_eq!(ago(Duration::hours(2)), "2 hours ago");
        assert_eq!(ago(Duration::days(6)), "6 days ago");
        assert_eq!(ago(Duration::days(8)), "2026-11-16 22:07 UTC");
        assert_eq!(ago(Duration::minutes(-5)), "in 5 minutes");
    }

    #[test]
    fn the_exact_time_goes_with_it() {
        let now = datetime!(2026-11-24 22:07 UTC);
        let html = view! { <RelativeTime at=now - Duration::minutes(2) now=now/> }.to_html();
        assert_eq!(
            html,
            r#"<time datetime="2026-11-24T22:05:00Z" title="2026-11-24 22:05 UTC">2 minutes ago</time>"#
        );
    }
}

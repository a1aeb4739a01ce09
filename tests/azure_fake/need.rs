//! Sizing a listing the way the server would serve it, for benchmarks that compare a
//! client's requests with the minimum.

use super::error::FakeError;
use super::odata::Filter;
use super::query::{count, Order, Source};
use super::state::State;
use super::tenant::SIGN_IN_TYPES;
use super::Listing;

/// Matching records of `listing` in the first tenant, with filters applied.
pub(crate) fn records(state: &State, listing: Listing<'_>) -> Result<usize, FakeError> {
    let Some(t) = state
        .home_tenant
        .as_ref()
        .and_then(|id| state.tenants.get(id))
    else {
        return Err(FakeError::NoTenant);
    };
    let filter = |text: Option<&str>, schema| -> Result<Option<Filter>, FakeError> {
        text.map(|t| Filter::new(t, schema).map_err(FakeError::Filter))
            .transpose()
    };
    Ok(match listing {
        Listing::SignIns(text) => {
            let f = filter(text, &t.sign_in_schema)?;
            let set = &t.sign_ins;
            let src = match &f {
                Some(f) if f.mentions("signInEventTypes") => {
                    let one = f
                        .any_values("signInEventTypes")
                        .and_then(|v| match v.as_slice() {
                            [x] => SIGN_IN_TYPES.iter().position(|k| k == x),
                            _ => None,
                        });
                    match one {
                        Some(p) => Source {
                            set,
                            order: Order::Positions(&t.sign_in_parts[p]),
                            tags: None,
                        },
                        None => Source::all(set),
                    }
                }
                _ => Source {
                    set,
                    order: Order::Positions(&t.sign_in_parts[0]),
                    tags: None,
                },
            };
            let range = match &f {
                Some(f) => src.range(f.time_range("createdDateTime")),
                None => src.range(Default::default()),
            };
            count(&src, f.as_ref(), range)
        }
        Listing::Registration(text) => {
            let f = filter(text, &t.registration_schema)?;
            let src = Source::all(&t.registration);
            count(&src, f.as_ref(), src.range(Default::default()))
        }
        Listing::Users(text) => {
            let f = filter(text, &t.user_schema)?;
            let src = Source::all(&t.users);
            count(&src, f.as_ref(), src.range(Default::default()))
        }
        Listing::Activity(sub, text) => {
            let f = super::arm_lists::activity_filter(text).map_err(FakeError::Filter)?;
            let Some(set) = t.activity.get(&sub.to_ascii_lowercase()) else {
                return Ok(0);
            };
            let src = Source::all(set);
            count(&src, Some(&f), src.range(f.time_range("eventTimestamp")))
        }
    })
}

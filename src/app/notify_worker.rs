//! `notify-worker`: delivers one `stepup-notify` message ([`NotifyMessage`]) to Teams — the
//! default channel's webhook, a team's, or the outbox when none is set:
//!
//! - `ownerNotice`: the owner's accounts rebuilt from state
//!   ([`crate::teams::notify::notices_for`]), posted at most once per run and recorded in
//!   the accounts' records ([`crate::teams::notify::deliver`]);
//! - `broadcast`: the enforcement broadcast of the tenant's latest scan, once per dedupe key;
//! - `digest`: the readiness digest of one tenant or every scanned one (once a week when the
//!   timer asked, else once per request).
//!
//! A failure is returned, so the host retries the message; what already reached Teams is not
//! posted again (sent marks in state).

use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;

use super::context::AppContext;
use crate::functions::{
    FunctionHandler, HandlerError, InvocationLog, InvocationRequest, InvocationResponse,
};
use crate::jobs::{Broadcast, DigestRequest, NotifyMessage, OwnerNotice};
use crate::runs::resolve_accounts;
use crate::teams::delivery::{sink_from_settings, TeamsSink};
use crate::teams::digest::{
    defer_broadcast, forget_broadcast, post_broadcast, post_digest, tenants_with_reports,
    weekly_run, DigestPost,
};
use crate::teams::notify::{deliver, notices_for, run_stamp};

/// The handler, sharing the app context.
pub struct NotifyWorker {
    ctx: Arc<AppContext>,
}

impl NotifyWorker {
    /// The worker, sharing `ctx`.
    pub fn new(ctx: Arc<AppContext>) -> Self {
        Self { ctx }
    }

    async fn owner_notice(
        &self,
        sink: &dyn TeamsSink,
        message: &OwnerNotice,
        log: &InvocationLog,
    ) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        let now = ctx.now();
        let store = ctx.store.as_ref();
        let message = &resolve_accounts(store, message)
            .await
            .context("cannot read the notice's account list from state")?;
        let notices = notices_for(
            store,
            message,
            &ctx.config.tenant,
            ctx.config.teams.renotify_days,
            now,
        )
        .await
        .context("cannot read the notice's accounts from state")?;
        if notices.is_empty() {
            log.warn(format!(
                "notify-worker: run {}: none of the {} account(s) for {} is in the tenant's latest findings; nothing to post",
                message.run_id,
                message.accounts.len(),
                message.owner
            ));
        }
        for notice in &notices {
            let done = deliver(notice, sink, store, now).await.with_context(|| {
                format!("the notice to {} on {}", notice.owner.who, notice.channel)
            })?;
            log.info(format!(
                "notify-worker: run {}: {} on {}: {} message(s) posted, {} already, {} uncertain; {} account(s) recorded",
                message.run_id,
                notice.owner.who,
                notice.channel,
                done.outcome.posted,
                done.outcome.already,
                done.outcome.uncertain,
                done.recorded
            ));
        }
        Ok(())
    }

    async fn broadcast(
        &self,
        sink: &dyn TeamsSink,
        message: &Broadcast,
        log: &InvocationLog,
    ) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        let outcome = post_broadcast(
            ctx.store.as_ref(),
            sink,
            &message.tenant,
            &message.dedupe_key,
            message.enforcement_date,
            ctx.now(),
        )
        .await
        .context("the enforcement broadcast")?;
        match outcome {
            // The card shows the tenant's latest scan: the first run to store one queues it.
            None => defer_broadcast(ctx.store.as_ref(), message)
                .await
                .context("cannot keep the broadcast until the first scan")?,
            Some(_) => forget_broadcast(ctx.store.as_ref(), message)
                .await
                .context("cannot forget the posted broadcast")?,
        }
        log.info(match outcome {
            None => format!(
                "notify-worker: broadcast for tenant {}: no scan is stored yet; kept until the first scan's report",
                message.tenant
            ),
            Some(o) if o.posted > 0 => format!(
                "notify-worker: broadcast for tenant {} posted ({})",
                message.tenant, message.notice.title
            ),
            Some(_) => format!(
                "notify-worker: broadcast for tenant {} was posted before",
                message.tenant
            ),
        });
        Ok(())
    }

    async fn digest(
        &self,
        sink: &dyn TeamsSink,
        message: &DigestRequest,
        log: &InvocationLog,
    ) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        let store = ctx.store.as_ref();
        let tenants = match message.tenant {
            Some(t) => vec![t],
            None => tenants_with_reports(store).await?,
        };
        let run = if message.requested_by.starts_with("timer:") {
            weekly_run(message.at)
        } else {
            format!("digest-{}", run_stamp(message.at))
        };
        for tenant in &tenants {
            match post_digest(store, sink, tenant, ctx.now(), &run)
                .await
                .with_context(|| format!("the digest of tenant {tenant}"))?
            {
                DigestPost::NoReport => log.info(format!(
                    "notify-worker: digest of tenant {tenant}: no scan is stored yet"
                )),
                DigestPost::Posted { outcome, .. } => log.info(format!(
                    "notify-worker: digest of tenant {tenant} for {}: {} posted, {} already",
                    message.requested_by, outcome.posted, outcome.already
                )),
            }
        }
        Ok(())
    }
}

#[async_trait]
impl FunctionHandler for NotifyWorker {
    async fn invoke(
        &self,
        request: InvocationRequest,
        log: &InvocationLog,
    ) -> Result<InvocationResponse, HandlerError> {
        let queued = request
            .queue("notice")
            .map_err(|e| HandlerError::BadInput(e.to_string()))?;
        let message: NotifyMessage = queued
            .json()
            .map_err(|e| HandlerError::BadInput(e.to_string()))
            .and_then(|v: serde_json::Value| {
                serde_json::from_value(v).map_err(|e| {
                    HandlerError::BadInput(format!("not a stepup-notify message: {e}"))
                })
            })?;
        let ctx = &self.ctx;
        let sink = sink_from_settings(&ctx.config.teams, &ctx.config.tenant, &ctx.config.state.dir)
            .context("cannot set up Teams delivery")?;
        match &message {
            NotifyMessage::OwnerNotice(n) => self.owner_notice(sink.as_ref(), n, log).await?,
            NotifyMessage::Broadcast(b) => self.broadcast(sink.as_ref(), b, log).await?,
            NotifyMessage::Digest(d) => self.digest(sink.as_ref(), d, log).await?,
        }
        Ok(InvocationResponse::default())
    }
}

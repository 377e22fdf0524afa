//! Judging an action without proposing it ([`Gate::judge`]): what the
//! policies and the session's budgets would answer if it were proposed now,
//! in the session as it stands. Nothing is recorded, no review is opened,
//! no approval is used up, and neither the session's composition nor its
//! budgets change — the MCP gateway asks it to hide tools the policies
//! deny outright, which must not itself be evidence of anything.

use clawlaw_engine::action::{ActionRequest, check};
use clawlaw_sdk::Verdict;

use super::{Gate, GateError};

impl Gate {
    /// The verdict `request` would get in `session_id` now, with nothing
    /// recorded or changed. `Ok(None)`: no such session. A request that is
    /// not a valid action is a DENY, as a proposal of it would be.
    pub async fn judge(
        &self,
        session_id: &str,
        request: &ActionRequest,
    ) -> Result<Option<Verdict>, GateError> {
        let set = self.policies.load_full();
        let Some(cell) = self.session_cell(session_id).await? else {
            return Ok(None);
        };
        let mut session = cell.lock().await;
        self.refresh(&mut session).await?;
        let Ok(action) = check(request, || "judged".to_string()) else {
            return Ok(Some(Verdict::Deny));
        };
        let state = &session.state;
        let view = state.view();
        let budget = state
            .declaration
            .budgets
            .check(&state.budget_usage(), &action);
        let runs = session.scripts.run_by(&action);
        drop(session);
        let evaluation = self
            .evaluators
            .run(move || crate::scripts::evaluate(&set, &action, &view, &runs).evaluation)
            .await
            // A policy that cannot even run would fault the real call closed.
            .unwrap_or(Verdict::Deny);
        Ok(Some(match budget {
            Some(exceeded) => evaluation.max(exceeded.verdict),
            None => evaluation,
        }))
    }
}

//! The hosting pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const REPO_DELETE: PackRule = PackRule {
    id: "hosting.repo-delete",
    pack: Pack::Hosting,
    verdict: Verdict::Deny,
    risk: 1.0,
    summary: "Deny deleting a hosted repository (`gh repo delete`, `glab repo delete`): issues, pull requests, releases and wiki go with it",
    instead: "archive it (`gh repo archive`) or ask a human to delete it",
};
pub(crate) const UNPUBLISH: PackRule = PackRule {
    id: "hosting.unpublish",
    pack: Pack::Hosting,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate withdrawing published packages (`npm unpublish`, `cargo yank`, `gem yank`, `dotnet nuget delete`): builds that depend on them break",
    instead: "deprecate instead (`npm deprecate`, a new patch release), which warns users without breaking them",
};
pub(crate) const DELETE_HOSTED: PackRule = PackRule {
    id: "hosting.delete",
    pack: Pack::Hosting,
    verdict: Verdict::Escalate,
    risk: 0.8,
    summary: "Escalate deleting releases, secrets, environments, runs or apps on hosting platforms (`gh release delete`, `gh api -X DELETE`, `heroku apps:destroy`, `fly apps destroy`, `vercel remove`)",
    instead: "check what depends on it first, and prefer disabling or archiving to deleting",
};

pub(crate) const PUBLISH: PackRule = PackRule {
    id: "hosting.publish",
    pack: Pack::Hosting,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate publishing packages, images and releases (`npm publish`, `cargo publish`, `twine upload`, `gem push`, `mvn deploy`, `docker push`, `gh release create`): a published version is public, others build on it at once, and it cannot be taken back",
    instead: "publish from CI on a reviewed tag, or check what would go out with a dry run (`npm publish --dry-run`, `cargo publish --dry-run`, `npm pack`)",
};

pub(crate) const RULES: &[&PackRule] = &[&REPO_DELETE, &UNPUBLISH, &DELETE_HOSTED, &PUBLISH];

//! The containers pack's rules.

use super::{Pack, PackRule, Verdict};

pub(crate) const PRUNE: PackRule = PackRule {
    id: "containers.prune",
    pack: Pack::Containers,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate `docker system prune` and other prunes: they delete every stopped container, unused image, network and the build cache at once",
    instead: "remove the containers or images you mean by name, or prune with a filter (`--filter until=24h`)",
};
pub(crate) const DELETE_VOLUMES: PackRule = PackRule {
    id: "containers.delete-volumes",
    pack: Pack::Containers,
    verdict: Verdict::Escalate,
    risk: 0.85,
    summary: "Escalate deleting volumes (`volume rm`/`prune`, `system prune --volumes`, `system reset`, `compose down -v`, `rm -v`): the data in them is gone",
    instead: "back the volume up first (`docker run --rm -v vol:/data -v $PWD:/b alpine tar czf /b/vol.tgz /data`), or `compose down` without `-v`",
};
pub(crate) const REMOVE_ALL: PackRule = PackRule {
    id: "containers.remove-all",
    pack: Pack::Containers,
    verdict: Verdict::Escalate,
    risk: 0.7,
    summary: "Escalate removing every container or image at once (`docker rm -f $(docker ps -aq)`, `docker rmi $(docker images -q)`)",
    instead: "remove the containers or images you mean by name or label (`--filter label=…`)",
};

pub(crate) const STOP_ALL: PackRule = PackRule {
    id: "containers.stop-all",
    pack: Pack::Containers,
    verdict: Verdict::Escalate,
    risk: 0.6,
    summary: "Escalate stopping or killing every running container at once (`docker stop $(docker ps -q)`, `docker ps -q | xargs docker kill`, `podman stop --all`): every service on the host goes down, other people's included",
    instead: "stop the containers you mean by name, or a filtered listing (`docker stop $(docker ps -q -f name=myapp)`); `docker compose stop` stops one project's",
};

pub(crate) const RULES: &[&PackRule] = &[&PRUNE, &DELETE_VOLUMES, &REMOVE_ALL, &STOP_ALL];

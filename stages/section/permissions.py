"""The section stage's access: the live ConfigMap, and in git mode the GitOps repository and the
Argo CD Application.

Evidence, call by call:
- Cluster mode (`stages.section.cluster`): ConfigMap `get` for every role — check reads the
  ConfigMap already in `pulumi preview` to refuse one a GitOps controller tracks, refresh's
  read and every write read the document and its managedFields (`authorship`), verify's config
  hop reads it (`stages.kube_reader`). `update` (deployer): create, update and delete write
  the document with one PUT (`replace_namespaced_config_map`), never create or delete the
  ConfigMap.
- Git mode (`stages.section.git`): the repository, `read` for preview (diff and refresh read
  the section at the branch head: `provider._section_at_head`) and verify
  (`branch_head`), `push` to `section.git.branch` for the deployer (each write is a commit
  pushed there, `repo.commit_edit`). The deployer's wait until the commit is live reads the
  ConfigMap (`delivery.deliver`, `get`), and asks Argo CD to refresh the Application named by
  `section.git.application` (`patch`, in `section.git.applicationNamespace`; only a speed-up:
  refused, the wait goes on until the controller's next poll). Preview reads no cluster object
  of this stage in git mode; verify's config hop reads the live ConfigMap in both modes.
"""

from __future__ import annotations

from stages.permissions import GitAccess, Role, Rule, Scope, kube

ARGO_GROUP, ARGO_APPLICATIONS = "argoproj.io", "applications"


def rules(scope: Scope, role: Role) -> list[Rule]:
    s = scope.settings
    ns, config_map = s.namespace, s.config.config_map
    git = s.section.git if s.section.target == "git" else None
    if git is None:
        verbs = ["get", "update"] if role == "deployer" else ["get"]
        return [kube("", "configmaps", verbs, ns, config_map)]
    access = GitAccess("push" if role == "deployer" else "read", git.repo, git.branch, git.path)
    found: list[Rule] = [access]
    if role != "preview":
        found.append(kube("", "configmaps", ["get"], ns, config_map))
    if role == "deployer" and git.application:
        app_ns = git.application_namespace
        found.append(kube(ARGO_GROUP, ARGO_APPLICATIONS, ["patch"], app_ns, git.application))
    return found

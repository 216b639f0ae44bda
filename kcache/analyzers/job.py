"""Job and CronJob analyzer: failures against backoffLimit, the failed pods, a failed last run."""

from __future__ import annotations

from kcache.analyzers.common import condition, condition_line, count, event_lines
from kcache.analyzers.findings import Finding, finding, object_ref
from kcache.analyzers.pod import analyze_pod
from kcache.analyzers.view import View
from kcache.model import Resource


def analyze_job(view: View, job: Resource, *, parent: str | None = None) -> list[Finding]:
    """A Job's failures and retries, with the findings of its pods (through owner references)."""
    f = job.fields
    me = object_ref("job", job.namespace, job.name)
    failed, succeeded, active = (
        int(f.get("failed") or 0),
        int(f.get("succeeded") or 0),
        int(f.get("active") or 0),
    )
    limit = 6 if f.get("backoff_limit") is None else int(f["backoff_limit"])
    counts = f"succeeded {succeeded}, failed {failed}, active {active}, backoffLimit {limit}"
    events = view.events(job)
    out: list[Finding] = []
    failed_condition = condition(job, "Failed")
    if f.get("status") == "Failed" or (failed_condition and failed_condition.get("status") == "True"):
        reason = str((failed_condition or {}).get("reason") or "JobFailed")
        if reason == "BackoffLimitExceeded":
            # The condition's reason as kubectl shows it, then what it means.
            en = (
                f"failed (BackoffLimitExceeded): {count(failed, 'pod')} failed, reaching backoffLimit {limit}"
            )
            zh = f"已失败（BackoffLimitExceeded）：{failed} 个 pod 失败，达到 backoffLimit {limit}"
        elif reason == "DeadlineExceeded":
            en = (
                "failed (DeadlineExceeded): it ran longer than activeDeadlineSeconds "
                f"{f.get('active_deadline_seconds')}"
            )
            zh = f"已失败（DeadlineExceeded）：运行时间超过 activeDeadlineSeconds {f.get('active_deadline_seconds')}"
        else:
            en, zh = f"failed ({reason})", f"已失败（{reason}）"
        out.append(
            finding(
                job,
                "critical",
                reason,
                en=en,
                zh=zh,
                hint_en="Its pods' findings, listed under it, say why they failed; fix that and re-run the job.",
                hint_zh="其下列出的 pod 问题说明了失败原因；修复后重新运行该 Job。",
                evidence=[
                    counts,
                    *([condition_line(failed_condition)] if failed_condition else []),
                    *event_lines(events),
                ],
                parent=parent,
            )
        )
    elif failed > 0 and f.get("status") != "Complete":
        out.append(
            finding(
                job,
                "warning",
                "JobRetrying",
                en=f"{count(failed, 'pod')} failed so far (backoffLimit {limit}), {active} active",
                zh=f"已有 {failed} 个 pod 失败（backoffLimit {limit}），{active} 个运行中",
                hint_en="It retries until backoffLimit; the failed pods' findings say why they fail.",
                hint_zh="它会重试直到 backoffLimit；失败 pod 的问题说明了原因。",
                evidence=[counts, *event_lines(events)],
                parent=parent,
            )
        )
    elif f.get("suspend"):
        out.append(finding(job, "info", "Suspended", en="is suspended", zh="已暂停", parent=parent))
    if f.get("status") == "Complete":
        return out  # pods that failed before a later one succeeded are history, not a problem
    below = [x for pod in view.children(job, "pod") for x in analyze_pod(view, pod, parent=me)]
    if not out and f.get("status") == "Running" and any(x["severity"] == "critical" for x in below):
        failing = len({x["name"] for x in below if x["severity"] == "critical"})
        out.append(
            finding(
                job,
                "critical",
                "PodsFailing",
                en=f"is still running, but {failing} of its pods {'is' if failing == 1 else 'are'} failing",
                zh=f"仍在运行，但有 {failing} 个 pod 失败",
                hint_en="Its pods' findings, listed under it, say why; the job fails once backoffLimit is reached.",
                hint_zh="其下列出的 pod 问题说明了原因；达到 backoffLimit 后该 Job 会失败。",
                evidence=[counts],
                parent=parent,
            )
        )
    return out + below


def analyze_cronjob(view: View, cronjob: Resource, *, parent: str | None = None) -> list[Finding]:
    """A CronJob whose last run failed (with that Job's findings), or that is suspended."""
    f = cronjob.fields
    me = object_ref("cronjob", cronjob.namespace, cronjob.name)
    out: list[Finding] = []
    jobs = sorted(
        view.children(cronjob, "job"),
        key=lambda j: str(j.fields.get("start_time") or j.created_at or ""),
    )
    last = jobs[-1] if jobs else None
    if last is not None:
        job_findings = analyze_job(view, last, parent=me)
        if last.fields.get("status") == "Failed" or any(
            x["kind"] == "job" and x["severity"] == "critical" for x in job_findings
        ):
            out.append(
                finding(
                    cronjob,
                    "critical",
                    "LastRunFailed",
                    en=f"its last run, job {last.name}, failed",
                    zh=f"最近一次运行（job {last.name}）失败",
                    hint_en="The job's findings, listed under it, say why; the next run starts on schedule "
                    f"({f.get('schedule')}).",
                    hint_zh=f"其下列出的 job 问题说明了原因；下一次运行按计划（{f.get('schedule')}）开始。",
                    evidence=[
                        f"last schedule {f.get('last_schedule_time')}, last success {f.get('last_successful_time')}"
                    ],
                    parent=parent,
                )
            )
        out += job_findings
    if f.get("suspend"):
        out.append(finding(cronjob, "info", "Suspended", en="is suspended", zh="已暂停", parent=parent))
    return out

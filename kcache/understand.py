"""Understand a Kubernetes request in Chinese or English: intent, kind, operation, mentions.

The cache is the dictionary. Object and namespace names are ASCII, so they are found in
Chinese text without word segmentation: every run of name characters is one token, looked
up in a set built once per :class:`Vocabulary`. Words that look like names but are unknown
are kept as mentions when their position says what they name ("payments 命名空间",
"in payments", "pod frontend-abc123"), so the caller can report them as not found and
offer the nearest names; an unknown everyday word never is, so it cannot become a false
"does not exist". Everything here is pure: no I/O, no clock, no randomness.

:func:`analyze` runs named phases in order (:data:`_PHASES`), each reading what the earlier
ones found in one :class:`_Reading`: normalise; structured references (``pod/x``,
``{"type": ..., "name": ...}``, quotes); kubectl flags and label selectors; time windows,
ages, log line filters and commands; tokens and kind words (English ones from
:mod:`kcache.kinds`); the container; namespaces and names; the cue words left over;
namespace; operation; a misspelt name; resource; target; relations to named objects of
other kinds; numbers; count, sort, filter and field requests. Each phase adds short
``reasons``; :func:`explain` lists them phase by phase.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from opencc import OpenCC

from kcache import kinds
from kcache.resolve import is_misspelling, similarity

Intent = Literal["query", "action", "analysis"]
Operation = Literal[
    "list", "get", "logs", "top", "delete", "scale", "diagnose",
    "rollback", "cordon", "uncordon", "drain", "exec", "create", "restart", "portforward",
    "update",
]  # fmt: skip
"""The seven the tools serve, then operations read as such though no tool may do them:
``rollback`` (back to the previous revision),
``cordon``/``uncordon``/``drain`` (a node), ``exec`` (a command in a container),
``create`` (a new object), ``portforward`` (a local port to a pod or service),
``update`` (keys of an existing ConfigMap set to new values, as ``kubectl edit`` or ``patch``)."""
RelationType = Literal[
    "on_node", "owned_by", "selected_by", "uses", "used_by", "involves", "selects", "related"
]

# ---------------------------------------------------------------------------------------
# Lexicons. English entries are whole tokens; Chinese entries are substrings matched
# longest first, so 定时任务 wins over 任务 and 副本集 over 副本.
# ---------------------------------------------------------------------------------------

#: Words of the reader that are not Kubernetes kinds but are asked about like one.
_CLUSTER_WORDS_EN = ("cluster", "clusters")


def _english_kind_words() -> tuple[dict[str, str], frozenset[str]]:
    """English token → canonical kind, and the plural tokens, read from :mod:`kcache.kinds`.

    A short name that is also an everyday word (``no`` for node) is left out: in a request
    it is the word, never the kind.
    """
    words: dict[str, str] = {}
    plurals: set[str] = set()
    for kind in kinds.TABLE:
        for word in (*kind.words, kind.api_kind.lower()):
            if word in kind.short and word in _EN_STOP:
                continue
            words.setdefault(word, kind.name)
            # ``deploys`` and ``svcs`` are plurals of short names; ``endpoints`` is the name.
            if word != kind.name and (word == kind.plural or word[:-1] in kind.words):
                plurals.add(word)
    for word in _CLUSTER_WORDS_EN:
        words[word] = "cluster"
    plurals.add(_CLUSTER_WORDS_EN[1])
    return words, frozenset(plurals)


#: Multi-word English kind names, folded into one token before tokenizing.
_KIND_PHRASES_EN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), repl)
    for pattern, repl in (
        # kubectl's short name of nodes is an everyday word; after a kubectl verb it is the kind.
        (
            r"\b(kubectl\s+(?:get|top|describe|delete|edit|cordon|uncordon|drain|label|taint)\s+)no\b",
            r"\1node",
        ),
        (r"\bpersistent\s+volume\s+claim(s?)\b", r"persistentvolumeclaim\1"),
        (r"\b(?:volume\s+)?claim(s?)\b", r"persistentvolumeclaim\1"),
        (r"\bpersistent\s+volume(s?)\b", r"persistentvolume\1"),
        (r"\bstorage\s+class(es)?\b", r"storageclass\1"),
        (r"\bconfig\s*-?\s*map(s?)\b", r"configmap\1"),
        (r"\bcron\s*-?\s*job(s?)\b", r"cronjob\1"),
        (r"\breplica\s+set(s?)\b", r"replicaset\1"),
        (r"\bstateful\s+set(s?)\b", r"statefulset\1"),
        (r"\bdaemon\s+set(s?)\b", r"daemonset\1"),
        (r"\bservice\s+account(s?)\b", r"serviceaccount\1"),
        (r"\bresource\s+quota(s?)\b", r"resourcequota\1"),
        (r"\bname\s*-?\s*space(s?)\b", r"namespace\1"),
        # A value's form in one word, so "in plain text" names no namespace.
        (r"\b(?:plain|clear)\s*-?\s*text\b", "plaintext"),
        # Operations written in two words, folded like the kinds above.
        (r"\broll(?:ing)?\s*-?\s*back\b|\brollout\s+undo\b", "rollback"),
        (r"\brollout\s+restart\b|\brolling\s+restart\b", "rolloutrestart"),
        (r"\bport\s*-?\s*forward(?:ing|ed|s)?\b", "portforward"),
        # A node condition written in words ("memory pressure") is the condition, no usage.
        (r"\b(memory|disk|pid)\s*-?\s*pressure\b", r"\1pressure"),
        (r"内存压力", " memorypressure "),
        (r"磁盘压力", " diskpressure "),
    )
)

_KIND_WORDS_ZH: dict[str, str] = {
    "容器组": "pod",
    "部署": "deployment",
    "无状态应用": "deployment",
    "无状态负载": "deployment",
    "有状态副本集": "statefulset",
    "有状态应用": "statefulset",
    "有状态服务": "statefulset",
    "有状态集": "statefulset",
    "守护进程集": "daemonset",
    "守护进程": "daemonset",
    "副本集": "replicaset",
    "服务": "service",
    "节点": "node",
    "主机": "node",
    "命名空间": "namespace",
    "名字空间": "namespace",
    "名称空间": "namespace",
    "空间": "namespace",
    "配置映射": "configmap",
    "配置字典": "configmap",
    "配置项": "configmap",
    "配置": "configmap",
    "密钥": "secret",
    "秘钥": "secret",
    "保密字典": "secret",
    "凭据": "secret",
    "凭证": "secret",
    "事件": "event",
    "入口": "ingress",
    "路由规则": "ingress",
    "持久卷声明": "persistentvolumeclaim",
    "持久化卷声明": "persistentvolumeclaim",
    "存储卷声明": "persistentvolumeclaim",
    "卷声明": "persistentvolumeclaim",
    "持久卷": "persistentvolume",
    "持久化卷": "persistentvolume",
    "存储卷": "persistentvolume",
    "存储类": "storageclass",
    "定时任务": "cronjob",
    "计划任务": "cronjob",
    "定时作业": "cronjob",
    "任务": "job",
    "作业": "job",
    "服务账号": "serviceaccount",
    "服务账户": "serviceaccount",
    "资源配额": "resourcequota",
    "配额": "resourcequota",
    "端点": "endpoints",
    "集群": "cluster",
}

# Cue words by meaning. Each set holds English tokens; each tuple Chinese substrings.
_LIST_EN = frozenset({"list", "ls", "all", "every", "which", "enumerate"})
#: Chinese words tokenized only so that a shorter cue inside them is not read
#: (重启次数 is a restart count, not a request to restart).
_NEUTRAL_ZH = ("重启次数", "重启过")
_LIST_ZH = ("列出", "列举", "列表", "有哪些", "哪些", "所有", "全部", "有什么", "有啥", "清单")
_GET_EN = frozenset(
    {"get", "describe", "show", "display", "detail", "details", "info", "inspect", "status",
     "view", "see", "check", "fetch", "tell", "look"}
)  # fmt: skip
_GET_ZH = ("查看", "看看", "看一下", "查一下", "查询", "显示", "获取", "详情", "详细", "描述",
           "信息", "状态", "展示", "给我")  # fmt: skip
_COUNT_EN = frozenset({"count", "total", "number"})
_COUNT_ZH = (
    "多少",
    "几个",
    "几台",
    "数量",
    "总数",
    "一共",
    "总共",
    "个数",
    "数一下",
    "数数",
    "数一数",
    "统计一下",
)
#: 多少 after a copula, with no measure word after it: the value of what precedes ("版本是多少").
_COUNT_ZH_OTHER = tuple(w for w in _COUNT_ZH if w != "多少")
_VALUE_ASKED_ZH_RE = re.compile(r"(?:是|为)\s*多少(?!\s*[个台条种次份])")
_LOGS_EN = frozenset({"log", "logs", "logging"})
_LOGS_ZH = ("日志",)
_DELETE_EN = frozenset(
    {"delete", "remove", "kill", "destroy", "terminate", "evict", "rm", "del", "nuke", "wipe", "erase",
     "purge", "obliterate", "drop"}
)  # fmt: skip
_DELETE_ZH = ("删除", "删掉", "删了", "移除", "干掉", "杀掉", "杀死", "销毁", "清除", "去掉",
              "终止", "清空", "删光", "抹掉", "清掉", "全删")  # fmt: skip
#: 删 alone is the verb when an aspect or a complement follows it ("删一下", "删了吧", "把它删掉").
_DELETE_VERB_ZH_RE = re.compile(r"删(?=\s*(?:一下|下|了|掉|除|吧|个|光))")
#: A delete said with a phrasal verb ("get rid of X", "do away with X").
_DELETE_PHRASE_EN = re.compile(r"\bget\s+rid\s+of\b|\bdo\s+away\s+with\b")
#: Verbs whose object is everything a scope holds ("wipe the cluster", "清空 boutique").
_CLEAR_OUT_RE = re.compile(r"\b(?:wipe|purge|nuke|obliterate|empty)\b|\btear\s+down\b|清空|删光|全删")
#: A quantifier over every object ("all pods", "everything", "所有", "全部", "--all").
_EVERY_RE = re.compile(
    r"\b(?:all|every|everything|each|entire|whole)\b|(?<!\S)--all(?![-\w])|所有|全部|全都|一切|整个|统统|通通|全集群"
)
_RESTART_EN = frozenset({"restart", "reboot", "bounce", "recycle"})
_RESTART_ZH = ("重启", "重新启动")  # the short word and its full form
_SCALE_EN = frozenset({"scale", "scaled", "scaling", "resize", "shrink", "downscale", "upscale"})
_SCALE_ZH = ("扩容", "缩容", "扩展", "伸缩", "扩缩", "扩到", "缩到")
_REPLICA_EN = frozenset({"replica", "replicas", "instances", "copies"})
_REPLICA_ZH = ("副本", "实例数")
_SET_EN = frozenset({"set", "change", "increase", "decrease", "reduce", "raise", "lower", "bump", "adjust"})
#: Verbs that change an existing object in place ("edit configmap X", "修改 X 的配置").
_UPDATE_EN = frozenset({"edit", "update", "modify", "patch", "alter"})
_UPDATE_ZH = ("修改", "更新", "编辑", "改一下", "改下")
_ENSURE_RE = re.compile(r"\bmake\s+sure\b|\bensure\b|确保|保证|保持")
_SET_ZH = ("改成", "改为", "设为", "设置为", "设置成", "调整为", "调整到", "调到", "变成",
           "调成", "设成", "改到", "增加到", "减少到", "加到", "减到", "增至", "减至")  # fmt: skip
_DIAG_EN = frozenset(
    {"why", "failing", "failed", "fail", "fails", "failure", "failures", "unhealthy",
     "healthy", "health", "broken", "crash", "crashes", "crashing", "crashed", "crashloop",
     "crashloopbackoff", "backoff", "pending", "stuck", "error", "errors", "erroring",
     "wrong", "problem", "problems", "issue", "issues", "diagnose", "diagnosis",
     "troubleshoot", "debug", "investigate", "imagepullbackoff", "errimagepull",
     "oomkilled", "oom", "restarting", "looping", "crashlooping", "notready", "unready", "unavailable", "degraded",
     "evicted", "unschedulable", "misconfigured", "misbehaving", "faulty", "bad", "unstable",
     "flaky", "flapping", "alert", "alerts", "alerting", "alarm", "alarms", "paging"}
)  # fmt: skip
_DIAG_ZH = ("为什么", "为何", "怎么回事", "咋回事", "不健康", "健康", "异常", "诊断", "排查",
            "故障", "失败", "出错", "报错", "错误", "崩溃", "起不来", "启动不了", "挂了",
            "挂掉", "有问题", "不正常", "一直重启", "不停重启", "反复重启", "卡住", "卡在",
            "原因", "分析", "未就绪", "没就绪", "不可用", "不工作", "坏了", "问题", "怎么了",
            "咋了", "什么情况", "出事", "不对劲", "不行了", "正常吗", "都正常", "是否正常", "正不正常",
            "毛病", "健康状况", "健康吗", "怎么挂", "咋挂", "怎么死", "怎么崩",
            # What needs attention: "有没有啥要关注的", "需要注意什么".
            "要关注", "需要关注", "值得关注", "需要注意", "要注意")  # fmt: skip
_WHY_ZH = ("为什么", "为何", "怎么回事", "咋回事", "原因")
#: Chinese asks a cause with its colloquial interrogatives too (为啥, 干嘛, 凭啥), and with 怎么/咋
#: before a negation ("怎么没 ready", "咋一直起不来"): "how come it does not".
_WHY_ZH_RE = re.compile(r"为啥|干嘛|凭啥|(?:怎么|咋)(?:会|又|老是|总是|老|总|一直|还)?(?:不|没)")
#: Chinese "V不C", a result that cannot be reached ("拉不到镜像", "连不上", "启动不了"): a failure.
#: "出了啥事", "出什么状况": something happened to it.
_HAPPENED_ZH_RE = re.compile(r"出了?(?:什么|啥|些)?(?:事|问题|状况|情况|毛病|岔子)")
_CANNOT_ZH_RE = re.compile(
    r"(?<=[\u4e00-\u9fff])不(?:到|了|上|起来|下来|出来|进去|通|动|开)(?!解|少|多|够|足|\s*[零〇一二两三四五六七八九十百半\d])"
)
#: Words asking for a credential: whatever object they name, what is asked is a Secret's data.
_CREDENTIAL_EN = frozenset({"password", "passwords", "passwd", "pwd", "credential", "credentials", "creds",
                            "token", "tokens", "apikey"})  # fmt: skip
_CREDENTIAL_ZH = ("密码", "口令", "令牌", "私钥")
_DIAG_PHRASE_EN = re.compile(
    r"(?:\bnot|n't)\s+(?:ready|running|healthy|working|starting|scheduled|started|up)\b"
    r"|\bwhat'?s\s+wrong\b|\bgoing\s+on\b|\bwhat\s+happened\b|\bwhat'?s\s+up\s+with\b"
    # Anything that needs attention: "anything to worry about", "anything I should look at".
    r"|\banything\s+(?:to\s+worry\s+about|worth\s+(?:a\s+look|looking\s+at)|i\s+should\s+(?:know|look\s+at|worry))"
    r"|\b(?:is|are|went|goes|was)\s+down\b|\bhow\s+(?:is|are)\b.*\bdoing\b"
    r"|(?:n't|\bcannot)\s+(?:pull|mount|be\s+scheduled|schedule|boot|launch|bind|resolve)"
    r"|\bnot\s+(?:updating|responding|reachable|accessible|serving|connecting|resolving|loading)\b"
    # A negated auxiliary, apostrophe or not ("doesn't start", "wont run"); never a word that
    # merely ends in "nt" ("deployment run").
    r"|\b(?:do|does|did|is|are|was|were|ca|can|could|wo|would|should|has|have|had|ai)n'?t\s+(?:be\s+)?"
    r"(?:start|starting|work|working|run|running|respond|responding|connect|serve|come\s+up|be\s+reached|reached)\b"
    # "is the logs namespace ok?": a question about health.
    r"|\b(?:is|are)\b.*\b(?:ok|okay|fine|alright|all\s+right|good)\s*[?？]?\s*$"
)
_TOP_EN = frozenset(
    {"top", "usage", "utilization", "utilisation", "consumption", "consuming", "consumes",
     "cpu", "memory", "mem", "ram", "load", "loaded"}
)  # fmt: skip
_TOP_ZH = ("资源使用", "使用情况", "使用率", "利用率", "占用", "消耗", "内存", "用量", "负载")
_VERSION_EN = frozenset({"version", "versions"})
_VERSION_ZH = ("版本",)
_PREVIOUS_EN = re.compile(
    r"\b(?:previous|prior)\b|\blast\s+terminated\b|\bbefore\s+(?:it\s+)?(?:the\s+)?"
    r"(?:crash|crashed|restart|restarted)\b|\bcrashed\s+container\b"
)
_PREVIOUS_ZH = ("上一次", "上次", "之前的容器", "前一个容器", "上一个容器", "重启前", "崩溃前",
                "上个容器", "之前那个容器")  # fmt: skip
_SECRET_VALUE_EN = frozenset(
    {"password", "passwords", "passwd", "pwd", "value", "values", "content", "contents",
     "decode", "decoded", "decoding", "reveal", "plaintext", "base64", "credential",
     "credentials", "data", "token", "tokens", "unmask"}
)  # fmt: skip
_SECRET_VALUE_ZH = ("密码", "值", "内容", "解码", "明文", "口令", "数据", "令牌", "私钥", "密文", "解密")
_PRIVATE_KEY_RE = re.compile(r"\bprivate\s+keys?\b|\bkey\s+material\b")
#: What shows a Secret's data whatever word names it: its serialized form (YAML, JSON), a
#: verb that copies it out whole, or a noun for the credential it holds (not 密钥, which
#: names the kind).
_SECRET_DUMP_RE = re.compile(
    r"\b(?:ya?ml|json|jsonpath|cat|dump|print|export|leak|echo|copy|paste|spell|creds?|certs?|certificates?)\b"
    r"|\bread\s+(?:me|out)\b"
    r"|导出|发我|发给我|证书"
)
#: A question about what one named Secret contains ("what's inside", "里面写的啥").
_SECRET_CONTENT_RE = re.compile(
    r"\bwhat(?:'s|\s+is|\s+are)?\s+(?:in|inside|stored)\b|\binside\b|\bstored\b|\bcontains?\b"
    r"|\bholds?\b|(?:里面?|中)(?:存|写|装|放|是什么|是啥|有什么|有啥)|存的|存了|写的|写了|原文|原始|(?:里|中)面?的(?:东西|内容)"
    # Taking something out of it: "read it out of the secret", "pull the token from it".
    r"|\b(?:read|pull|get|extract|copy|fetch|grab|recover)\b[^.?!]{0,30}\b(?:out\s+of|from)\b"
    # The one key of a Secret asked for ("the stripe secret key", "its api key"): the credential
    # itself ("its keys", "key names" are names only).
    r"|\bsecret\s+key\b(?!\s*names?)|\bapi\s+key\b|(?:的|个)\s*(?:key|密钥)\s*(?:是什么|是啥|给我|发我|贴)"
)
_ALL_NS_EN = re.compile(
    r"\ball\s+(?:of\s+)?(?:the\s+)?namespaces\b|\b(?:every|each)\s+namespace\b"
    r"|\bacross\s+(?:all\s+)?(?:the\s+)?(?:namespaces|cluster)\b|\bcluster\s*-?\s*wide\b"
    r"|\b(?:whole|entire)\s+cluster\b|\bin\s+any\s+namespace\b"
    # Chinese words for "all" before the English word: "所有 namespace", "全部 ns".
    r"|(?:所有|全部|全体|每个|各个)\s*(?:的\s*)?(?:namespaces?|ns)\b"
)
_ALL_NS_ZH = ("所有命名空间", "全部命名空间", "所有的命名空间", "全部的命名空间", "各个命名空间",
              "每个命名空间", "各命名空间", "所有名字空间", "所有名称空间", "整个集群",
              "全集群", "集群范围", "跨命名空间", "所有空间", "全部空间")  # fmt: skip
_COUNT_PHRASE_EN = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b")
_NS_PREPOSITIONS = frozenset({"in", "from", "within", "inside", "under"})
#: Prepositions after which an unknown word is a namespace on its own; after the others
#: ("from", "under") it must also look like a Kubernetes name ("from snapshot 4f2c" is not).
_STRONG_NS_PREPOSITIONS = frozenset({"in", "within", "inside"})
_CONTAINER_EN = frozenset({"container", "containers", "sidecar", "sidecars"})
_CONTAINER_ZH = "容器"

# Operations beyond the seven the tools serve.
_ROLLBACK_EN = frozenset({"rollback", "revert", "undo"})
_ROLLBACK_ZH = ("回滚", "回退", "还原")
_ROLLOUT_RESTART_EN = frozenset({"rolloutrestart"})
_ROLLOUT_RESTART_ZH = ("滚动重启",)
_CORDON_EN = frozenset({"cordon"})
_CORDON_ZH = ("禁止调度", "停止调度", "封锁", "隔离", "不可调度", "不能调度", "不再调度")
_UNCORDON_EN = frozenset({"uncordon"})
_UNCORDON_ZH = ("恢复调度", "允许调度", "解除封锁", "取消封锁", "解除隔离", "取消隔离", "设为可调度", "设置为可调度",
                "改为可调度", "改成可调度", "标记为可调度", "恢复可调度", "重新可调度")  # fmt: skip
#: Marking a node (un)schedulable in English: "mark tn-worker-1 unschedulable".
_MARK_SCHEDULABLE_RE = re.compile(r"\b(?:mark|make|set|render)\b.*?\b(un)?schedulable\b")
_PORT_FORWARD_EN = frozenset({"portforward"})
_PORT_FORWARD_ZH = ("端口转发", "转发到本地", "转发端口", "端口映射到本地", "映射到本地")
_DRAIN_EN = frozenset({"drain"})
_DRAIN_ZH = ("排空", "腾空")
_EXEC_EN = frozenset({"exec", "shell", "ssh", "execute", "attach"})
_EXEC_ZH = ("进入容器", "执行命令", "登录容器", "进到容器")
_CREATE_EN = frozenset({"create", "apply", "install", "provision"})
_CREATE_ZH = ("创建一个", "新建一个", "新增一个", "部署一个")
#: ``restart`` as a noun ("restart count", "sorted by restarts") asks for no restart.
_RESTART_NOUN_RE = re.compile(
    r"\brestarts?\s+(?:count|counts|number|times|history|policy|policies)\b"
    r"|\b(?:by|of|most|no|zero|many|fewest|least|with|without|any)\s+(?:the\s+)?restarts?\b"
    r"(?:\s+(?:count|counts|number))?"
    # Chinese: 重启 measured ("重启次数", "重启最多", "重启了几次", "restart 次数大于 0").
    # A number of times is a count when said as done (过/了) or asked; "重启一次" alone does it once.
    r"|(?:重启|restarts?)\s*(?:的)?\s*(?:次数|最多|最少|得最多|得最少|过?(?:了)?\s*(?:几|多少)\s*次"
    r"|(?:过|了)+\s*(?:\d+|[一二两三四五六七八九十]+)\s*次|\s*(?:\d+|[一二两三四五六七八九十]+)\s*次(?:了|以上|多))"
)

#: Words asking for the detail of one object rather than a listing.
_DETAIL_EN = frozenset({"describe", "detail", "details", "yaml", "json", "manifest", "spec", "definition"})
_DETAIL_ZH = ("详情", "详细", "描述", "定义")

# Relative replica changes: a factor or a delta on the cached count, never a target.
_FACTOR_WORDS_EN = {"double": 2.0, "doubled": 2.0, "triple": 3.0, "tripled": 3.0, "quadruple": 4.0,
                    "halve": 0.5, "halved": 0.5, "half": 0.5}  # fmt: skip
_FACTOR_WORDS_ZH = {"翻倍": 2.0, "加倍": 2.0, "翻一番": 2.0, "减半": 0.5, "一半": 0.5, "砍半": 0.5}
_UP_RE = re.compile(
    r"\b(?:up|increase[sd]?|raise|more|grow|add|bump|extra|additional|plus|another)\b|扩|增|加|提高|多"
)
_DOWN_RE = re.compile(
    r"\b(?:down|decrease[sd]?|reduce[sd]?|lower|cut|shrink|fewer|less|remove|drop|minus)\b|缩|减|降|少"
)
_PERCENT_RE = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|个百分点)|百分之\s*([零〇一二两三四五六七八九十百\d]+)"
)

# Time windows ("the last two hours", "最近 30 分钟"): the log tool has no time filter, so
# the window is passed on as such and never read as a line count.
_UNIT_SECONDS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
    "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600,
    "hours": 3600, "d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800,
    "weeks": 604800, "秒": 1, "秒钟": 1, "分钟": 60, "分": 60, "小时": 3600, "钟头": 3600,
    "天": 86400, "日": 86400, "周": 604800, "星期": 604800,
}  # fmt: skip
_EN_UNIT = r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?)\b"
_ZH_UNIT = r"(?P<unit>秒钟|秒|分钟|小时|钟头|天|周|星期)"
_NUM_G = (
    r"(?P<num>\d+(?![\d.])|(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|a|an)(?![a-z])"
    r"|[零〇一二两三四五六七八九十百半]+)"
)
_WINDOW_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"\b(?:in|over|during|for|within|from)?\s*(?:the\s+)?(?:last|past|previous|recent|latest)\s+(?:{_NUM_G}\s*)?{_EN_UNIT}",
        rf"\b(?:since\s+)?{_NUM_G}\s*{_EN_UNIT}\s*ago\b",
        rf"(?:最近|过去|近|前)\s*的?\s*(?:{_NUM_G})?\s*个?\s*{_ZH_UNIT}(?:内|以内|之内|里)?",
        rf"{_NUM_G}\s*个?\s*{_ZH_UNIT}(?:内|以内|之内)",
        rf"(?:最近|过去|近)\s*的?\s*{_NUM_G}\s*{_EN_UNIT}",
    )
)  # fmt: skip
_CREATED_RE = re.compile(r"\b(?:created|started|deployed|new)\b|创建|新建|启动")
_AGE_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b(?:older\s+than|more\s+than|over)\s+{_NUM_G}\s*{_EN_UNIT}(?:\s+old)?"), ">"),
    (re.compile(rf"\b(?:newer|younger|less)\s+than\s+{_NUM_G}\s*{_EN_UNIT}(?:\s+old)?"), "<"),
    (re.compile(rf"(?:超过|大于|多于|早于|已?经?运行了?超过)\s*{_NUM_G}\s*个?\s*{_ZH_UNIT}"), ">"),
    (re.compile(rf"(?:不到|少于|小于|不足)\s*{_NUM_G}\s*个?\s*{_ZH_UNIT}"), "<"),
)

# A line filter on logs: "lines containing ERROR", "日志里包含 ERROR 的".
_GREP_VALUE = r"(?P<q>\"[^\"]+\"|'[^']+'|`[^`]+`|“[^”]+”|「[^」]+」|[A-Za-z0-9_.:/-]+)"
_GREP_RES: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\b(?:contain(?:s|ing)?|includ(?:e|es|ing)|mention(?:s|ing)?|match(?:es|ing)?|grep(?:\s+for)?"
        r"|say(?:s|ing)?|with)\s+(?:the\s+)?(?:(?:word|string|text|pattern|keyword)\s+)?" + _GREP_VALUE,
        re.IGNORECASE,
    ),
    re.compile(r"(?:包含|含有|带有|包括|出现|匹配|有)\s*(?:关键字|关键词)?\s*" + _GREP_VALUE),
)
_LOG_WORD_RE = re.compile(r"\blogs?\b|\blines?\b|日志")

# Counting, sorting, filtering and the field asked for.
_SORT_RES: tuple[tuple[re.Pattern[str], str, bool], ...] = (
    (re.compile(r"\brestart(?:ed|s|ing)?\s+(?:the\s+)?most\b|\b(?:most|highest|max(?:imum)?)\s+(?:number\s+of\s+)?restart"
                r"|\bmost\s+restarted\b|\bby\s+(?:the\s+)?(?:number\s+of\s+)?restarts?\b|重启(?:次数)?最多|重启(?:次数)?最高"
                r"|重启得?最频繁|重启(?:次数)?\s*(?:top|前)\s*\d+"), "restarts", True),
    (re.compile(r"\brestart(?:ed|s)?\s+(?:the\s+)?least\b|\b(?:fewest|least|lowest)\s+restart|重启(?:次数)?最少"),
     "restarts", False),
    (re.compile(r"\boldest\b|最老|最旧|最早|运行最久|运行时间最长"), "age", True),
    (re.compile(r"\b(?:newest|youngest|most\s+recently\s+(?:created|started))\b|最新创建|最近创建|最新的?(?=\s*(?:\d+\s*个\s*)?(?:pod|[a-z]|容器组|部署|服务|节点))"), "age", False),
    (re.compile(r"\b(?:most|highest|max(?:imum)?)\s+(?:memory|mem|ram)\b|\b(?:memory|mem|ram)\s+(?:the\s+)?most\b"
                r"|内存(?:占用|使用|用量)?最(?:多|高|大)|最(?:多|高|大)的?内存"), "memory", True),
    (re.compile(r"\b(?:most|highest|max(?:imum)?)\s+cpu\b|\bcpu\s+(?:the\s+)?most\b|cpu\s*(?:占用|使用|用量)?最(?:多|高|大)"),
     "cpu", True),
)  # fmt: skip
_SORT_BY_RE = re.compile(
    r"\b(?:sort(?:ed)?|order(?:ed)?|rank(?:ed)?)\s+(?:them\s+)?by\s+(?:their\s+)?([a-z]+)"
)
_SORT_KEYS = {"restarts": "restarts", "restart": "restarts", "age": "age", "memory": "memory",
              "time": "age", "date": "age", "creation": "age", "created": "age",
              "mem": "memory", "cpu": "cpu", "name": "name", "names": "name",
              "replica": "replicas", "replicas": "replicas", "size": "replicas"}  # fmt: skip
_LIMIT_RES = (
    re.compile(rf"\b(?:top|first)\s+{_NUM_G}\b"),
    re.compile(rf"\b{_NUM_G}\s+(?:newest|oldest|youngest|latest|most|least|biggest|largest)\b"),
    re.compile(rf"前\s*{_NUM_G}\s*(?:个|名|条)?"),
    # "最老的 3 个 pod", "重启最多的 5 个": a superlative's count.
    re.compile(rf"最[\u4e00-\u9fff]{{1,4}}的\s*{_NUM_G}\s*(?:个|条|台|名)"),
    re.compile(rf"\b(?:bottom|last)\s+{_NUM_G}\b(?!\s*(?:lines?|minutes?|hours?|days?|mins?|h|m|d|s)\b)"),
)
#: "按重启次数排个序", "按创建时间从新到旧排": an order asked in Chinese.
_SORT_BY_ZH_RE = re.compile(
    r"按(?:照)?\s*(?P<k>重启(?:次数)?|创建时间|时间|年龄|存活时间|名字|名称|内存|cpu|副本数?)\s*"
    r"(?P<d>从高到低|从大到小|从多到少|从新到旧|倒序|降序|从低到高|从小到大|从少到多|从旧到新|升序|正序)?\s*(?:来|给我)?\s*排"
)
_SORT_KEYS_ZH = {"重启": "restarts", "重启次数": "restarts", "创建时间": "age", "时间": "age", "年龄": "age",
                 "存活时间": "age", "名字": "name", "名称": "name", "内存": "memory", "cpu": "cpu",
                 "副本": "replicas", "副本数": "replicas"}  # fmt: skip
#: A replica count compared: "副本数不少于 2", "with at least 3 replicas", "replicas > 1".
_REPLICAS_COMPARED = (
    re.compile(
        r"(?:副本数?|replicas?)\s*(?:的?数量|count)?\s*(?:是|为|is|are)?\s*"
        r"(?P<op>不少于|至少|大于等于|>=|超过|大于|多于|>|少于|小于|不到|<|不超过|至多|最多|<=|等于|==|=)\s*(?P<num>\d+)"
    ),
    re.compile(
        r"\b(?P<op>at\s+least|more\s+than|over|fewer\s+than|less\s+than|under|at\s+most|exactly)\s+(?P<num>\d+)\s+replicas?\b"
    ),
)
_COMPARED_OPS = {"不少于": ">=", "至少": ">=", "大于等于": ">=", ">=": ">=", "超过": ">", "大于": ">", "多于": ">",
                 ">": ">", "少于": "<", "小于": "<", "不到": "<", "<": "<", "不超过": "<=", "至多": "<=",
                 "最多": "<=", "<=": "<=", "等于": "==", "==": "==", "=": "==", "at least": ">=",
                 "more than": ">", "over": ">", "fewer than": "<", "less than": "<", "under": "<",
                 "at most": "<=", "exactly": "=="}  # fmt: skip
#: "with status CrashLoopBackOff", "状态为 Pending".
#: Every pod status kubectl shows ("ImagePullBackOff", "OOMKilled"), and "crashlooping"; the
#: everyday ones ("error") are states only where a state stands.
_STATUS_WORDS = {**kinds.POD_STATUSES, "completed": "Succeeded", "crashlooping": "CrashLoopBackOff"}
_STATE_WORDS = "|".join(sorted(_STATUS_WORDS, key=len, reverse=True))
_STATUS_IS_RE = re.compile(
    r"\b(?:status|phase|state)\s*(?:is\s+|of\s+|=\s*|:\s*)?([a-z]+)\b|状态(?:为|是)\s*([a-z]+)"
    r"|(?:是|为|处于|在)\s*([a-z]+)\s*状态"
    # A pod state named before 状态 ("Failed 状态的 pod").
    rf"|(?<![a-z])({_STATE_WORDS})\s*状态"
)
#: "which node is X running on": the node is a field of X, not the kind asked.
#: "which node is X on", "X 跑在几个节点上", "how many nodes does X run on": X's nodes, a field.
_NODE_FIELD_RE = re.compile(
    r"\b(?:which|what)\s+node\b(?!\s*-?selector)|在哪个节点|哪个节点上|在哪台"
    r"|(?:跑|运行|部署|分布)在(?:几|多少)个?(?:节点|node|机器)|\bhow\s+many\s+nodes\s+(?:is|are|does|do)\b[^?]*\bon\b"
)
_SERVICE_TYPES = {"loadbalancer": "LoadBalancer", "nodeport": "NodePort", "clusterip": "ClusterIP",
                  "externalname": "ExternalName"}  # fmt: skip
_SERVICE_TYPE_RE = re.compile(r"\b(loadbalancer|nodeport|clusterip|externalname)\b")
#: Field names whose first word is a kind word.
_COMPOUND_FIELD_RE = re.compile(
    r"\b(?:node|pod|namespace)\s*-?\s*(?:selectors?|affinity|anti-?affinity|templates?)\b"
)
#: "which storage class does X use", "X 用的什么存储类": a kind asked as a field of the object named.
_KIND_FIELD_RE = re.compile(
    r"\b(?:what|which)\s+(storageclass|serviceaccount|configmap|secret|persistentvolumeclaim|node|namespace)\s+"
    r"(?:does|do|is|will|did)\b"
    r"|(?:什么|哪个|哪种|哪一个)\s*(存储类|服务账号|服务账户|节点|命名空间|storageclass|serviceaccount|node|namespace)"
)
#: Spec values, not usage: "memory limit", "cpu requests", "资源限制".
_SPEC_RESOURCES_RE = re.compile(
    r"\b(?:memory|mem|cpu)\s+(?:limits?|requests?)\b|\b(?:limits?|requests?)\s+(?:of|for|on)\b"
    r"|(?:内存|cpu|资源)\s*(?:限制|请求|配额)"
)
#: A command to run in a container: "exec into X and run redis-cli info", "run psql inside
#: postgres-0", "kubectl exec X -- ls /tmp", "在 X 里执行 ls".
_COMMAND_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:^|\s)--\s+(?P<cmd>\S.*?)\s*$"),
    # Back-quoted text after a verb of running is code, whatever its words.
    re.compile(r"(?:\b(?:run|execute|exec)|执行|运行|跑)\s*(?:一下|下)?\s*`(?P<cmd>[^`]+)`"),
    re.compile(r"\band\s+(?:then\s+)?(?:run|execute)\s+(?P<cmd>\S.*?)\s*[.?!]?\s*$", re.IGNORECASE),
    re.compile(
        r"\b(?:run|execute)\s+(?P<cmd>\S.*?)\s+(?:in|inside|on|within)\s+(?:the\s+)?(?:pod\s+|container\s+)?"
        r"(?P<target>[a-z0-9][a-z0-9.-]*)(?:\s+(?:pod|container))?\s*[.?!]?\s*$",
        re.IGNORECASE,
    ),
    # Chinese: the ASCII run after 执行/运行/跑 (the command is never written in Chinese).
    re.compile(
        r"(?:执行|运行|跑)(?:一下|下|个)?(?:命令)?\s*(?P<cmd>[A-Za-z./][ -~]*?)\s*(?:命令)?\s*(?=$|[。？?，,]|[\u3400-\u9fff])"
    ),
)
#: In a request to enter a container, the clause after "and" is the command ("exec into X
#: and cat /etc/hosts"), unless it asks for something else ("and show me its logs").
_EXEC_AND_RE = re.compile(
    r"\band\s+(?:then\s+)?(?P<cmd>[a-z][\w.-]*(?:\s+\S+)*?)\s*[.?!]?\s*$", re.IGNORECASE
)
#: Entering a container: the exec cue however it is written ("exec into X", "进入 X 的容器").
_ENTER_RE = re.compile(
    r"\b(?:exec|shell|ssh|attach)\s+(?:in)?to\b|\bget\s+(?:a\s+)?shell\b|\bopen\s+(?:a\s+)?shell\b"
    r"|(?:进入|进到|进去|登录|登进|登陆|连进|连到)[^，。？]*?容器|(?:进入|进到|登录|登陆)\s*[a-z0-9]"
)
#: "the last 100 lines from X": lines are log lines.
_LOG_LINES_RE = re.compile(r"\b(?:\d+|last|first)\s+(?:log\s+)?lines?\b|\d+\s*行")
#: A Job named by its state, as kubectl's STATUS column says it ("failed jobs", "失败的 job").
_JOB_STATE_RE = re.compile(
    r"\b(?P<a>failed|completed|complete|succeeded|running|active|suspended)\s+jobs?\b"
    r"|\bjobs?\s+(?:that\s+|which\s+)?(?:have\s+|has\s+|are\s+|is\s+)?(?P<b>failed|completed|succeeded|running|suspended)\b"
    r"|(?P<z>失败|成功|完成|运行中)了?的\s*(?:job|任务)"
)
_JOB_STATES = {"failed": "Failed", "completed": "Complete", "complete": "Complete", "succeeded": "Complete",
               "running": "Running", "active": "Running", "suspended": "Suspended", "失败": "Failed",
               "成功": "Complete", "完成": "Complete", "运行中": "Running"}  # fmt: skip
_STATUS_EN = re.compile(
    rf"\b(?P<a>{_STATE_WORDS})\s+pods?\b"
    # "anything stuck in Pending": an indefinite pronoun stands for the pods as a kind word does.
    r"|\b(?:pods?|anything|something|everything)\s+(?:that\s+|which\s+)?(?:(?:are|is|currently|still|actually|stuck|sitting|hanging|remaining|left)\s+)*"
    r"(?:in\s+(?:the\s+)?)?"
    rf"(?P<b>{_STATE_WORDS})\b"
)
#: A state denied: "pods not in Running", "status is not Pending", "不是 Running", "没在运行".
_STATUS_NOT_RE = re.compile(
    rf"\b(?:status|phase|state)\s+(?:is\s+)?not\s+({_STATE_WORDS})\b|\bnot\s+in\s+(?:the\s+)?({_STATE_WORDS})\b"
    rf"|\b(?:are|is|were|was)(?:\s+not|n't)\s+(?:currently\s+|yet\s+|in\s+)?({_STATE_WORDS})\b"
    rf"|(?:不是|非|不在|不处于)\s*({_STATE_WORDS})|(?:不是|没有?在|未在|不在)\s*运行"
)
#: "pods in data that are running", "pods in X are pending": the state said of the pods later on.
_STATE_SAID = (
    r"(?:are|is)\s+(?:(?:currently|still|actually|stuck|sitting|hanging|left)\s+)*"
    rf"(?:in\s+(?:the\s+)?)?(?P<c>{_STATE_WORDS})\b"
)
_STATUS_LATER_EN = re.compile(r"\bpods\b.*?\b(?:that|which)?\s*" + _STATE_SAID)
#: The state part of :data:`_STATUS_LATER_EN` alone ("are stuck in Pending").
_STATE_SAID_RE = re.compile(r"\b" + _STATE_SAID)
#: An image (or a command) named before "… are running": what they run, not a state.
_IMAGE_BEFORE_RE = re.compile(r"\b(?:images?|versions?|commands?|binar(?:y|ies)|containers?)\b")
_STATUS_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:实际|正在|真正|还在)?在运行|运行中|正在运行|处于运行"), "Running"),
    (re.compile(r"等待中|挂起|处于\s*pending"), "Pending"),
    (re.compile(r"(?:运行)?失败了?的\s*(?:pod|容器组)"), "Failed"),
)
#: A pod state said after 在/处于/是 in Chinese: "几个 pod 在 CrashLoopBackOff", "处于 Pending 的".
_STATE_AFTER_ZH_RE = re.compile(
    rf"(?:卡在|停在|处于|在|是|为)\s*({_STATE_WORDS})(?![a-z])"
    # A state before 的 and the kind word: "ImagePullBackOff 的 pod", "Pending 的容器组".
    rf"|(?<![a-z])({_STATE_WORDS})\s*的\s*(?:pod|容器组)"
)
_NEVER_RESTARTED = re.compile(
    r"\bnever\s+(?:been\s+)?restart|\b(?:no|zero|0)\s+restarts?\b|\bwithout\s+(?:any\s+)?restarts?\b"
    r"|\bhave\s*n[o']t\s+restarted|没有?重启过|从未重启|从没有?重启|未重启|没重启|重启次数为\s*0"
)
_RESTARTED = re.compile(
    r"\b(?:that|which|who)\s+(?:have\s+|has\s+)?restarted\b|\bwith\s+restarts\b|\brestarted\s+pods\b|重启过的"
)
#: An object that dies, or is killed, is a symptom told ("the worker dies every few minutes").
_DIES_RE = re.compile(
    r"\b(?:dies|died|dying|(?:gets?|got|is|was|keeps?\s+getting)\s+(?:killed|oom-?killed|evicted))\b"
    # It does not come up: "never starts", "won't start", "doesn't come up", "起不来".
    r"|\b(?:never|won'?t|doesn'?t|does\s+not|can'?t|cannot|didn'?t)\s+(?:starts?|start\s+up|comes?\s+up|boots?|runs?|gets?\s+ready)\b"
    r"|起不来|启动不了|一直起不来"
)
#: How often something happens: no listing of "every" object, and no count.
_FREQUENCY_RE = re.compile(
    r"\bevery\s+(?:few\s+|couple\s+(?:of\s+)?|other\s+|\d+\s+|single\s+)?"
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|nights?|mornings?|time)\b"
    r"|每隔?\s*(?:几|[\d一二两三四五六七八九十]+)?\s*(?:秒|分钟|小时|天|周)"
)
#: Where one sentence ends and the next begins: words on either side are not neighbours.
_SENTENCE_END_RE = re.compile(r"[.!?]\s+|[。！？；;]")
#: The states kubectl shows for a pod that are no everyday word ("stuck in Init", "in OOMKilled").
_POD_STATES = frozenset(
    {"init"} | set(kinds.POD_STATUSES) - {"pending", "running", "failed", "succeeded", "completed", "error"}
)
#: A host's DNS name: a dotted word starting "www." or ending in a top-level domain that no
#: Kubernetes object name is given (object names that hold dots are in the cache, and win).
_HOST_RE = re.compile(
    r"^(?:www\.)?(?:[a-z0-9-]+\.)+(?:com|net|org|io|dev|example|local|internal|cloud|app|co|ai|cn|info|biz|test)$"
)
#: Chinese adverbs of habit: what keeps happening ("一直重启", "老是崩溃").
_HABIT_ZH = "一直|反复|频繁|不停地?|老是|总是|经常|不断|常常|时常|动不动就?|老|总|又"
#: A pod described by its restarting ("the crashing pod", "pods that keep restarting",
#: "一直重启的 pod"): a participle or a habitual adverb, never the imperative "restart X".
_RESTARTING = re.compile(
    r"\b(?:keeps?|kept|keeps?\s+on|constantly|repeatedly|continuously)\s+(?:restarting|crashing|dying|crash-?looping)\b"
    r"|\b(?:restarting|crashing|crashed|crash-?looping|flapping)\s+(?:\w+\s+)?pods?\b"
    r"|\bpods?\s+(?:that\s+|which\s+)?(?:is\s+|are\s+)?(?:restarting|crashing|crash-?looping|flapping)\b"
    rf"|(?:{_HABIT_ZH})\s*(?:在\s*)?(?:被\s*)?(?:重启|崩溃|crash)|崩溃的|(?:正在|还在|在)重启"
)
_RESTARTED_MORE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"\brestarted\s+(?:more\s+than|over)\s+{_NUM_G}\s*times?",
        rf"\b(?:more\s+than|over)\s+{_NUM_G}\s+restarts",
        rf"重启(?:了|过)?(?:超过|多于|大于)\s*{_NUM_G}\s*次",
        # A count compared: "restart 次数大于 0", "restarts > 3", "重启次数超过 5", "restart count above 2".
        rf"(?:restarts?|restarted|重启)\s*(?:的)?\s*(?:次数|count|counts|number)?\s*(?:了|过|is|are)?\s*"
        rf"(?:more\s+than|over|greater\s+than|above|>|超过|多于|大于)\s*{_NUM_G}",
    )
)
_NOT_READY = re.compile(
    r"(?:\bnot|n't)\s+(?:yet\s+)?ready\b|\bunready\b|\bnotready\b|未就绪|没就绪|没有就绪|不就绪|(?:不是|非|没有|没|未|不)\s*ready"
)
_READY = re.compile(r"\bready\s+pods\b|\bpods\s+(?:that\s+are\s+)?ready\b|已就绪|就绪的")
#: The count a workload asks for, said as a noun or a verb: "than desired", "than they want",
#: "than it should have", "than configured".
_DESIRED_WORDS = r"(?:desired|wanted|wants?|expected|requested|specified|declared|spec|configured|should|supposed|asked|need(?:s|ed)?)"
_SHORT_OF_DESIRED = re.compile(
    rf"\bfewer\s+(?:ready|available)\s+(?:replicas|pods)\s+than\s+(?:they\s+|it\s+)?{_DESIRED_WORDS}"
    r"|\bnot\s+(?:fully\s+)?(?:available|rolled\s+out)\b|\bready\s*<\s*desired\b|\bunavailable\s+replicas\b"
    r"|\bmissing\s+replicas\b|就绪副本(?:数)?(?:少于|小于|不足|低于)|副本(?:数)?不足|没有全部就绪|未全部就绪"
    # A ready count compared down to the desired one, in either language and any order of
    # words: "ready replicas lower than the spec", "就绪的副本数比期望的少".
    r"|\b(?:ready|available)\b[^.?!]{0,40}?\b(?:fewer|less|lower|below|short|under)\b[^.?!]{0,20}?"
    rf"\b{_DESIRED_WORDS}\b"
    rf"|\b(?:fewer|less|lower)\s+(?:ready|available)\b[^.?!]{{0,30}}?\bthan\b[^.?!]{{0,15}}?\b{_DESIRED_WORDS}\b"
    r"|(?:就绪|可用|ready)[^，。？?]{0,12}?(?:比|少于|小于|低于|不足|不到)[^，。？?]{0,8}?"
    r"(?:期望|预期|期待|声明|设定|设置|desired|spec)"
)
_FIELD_RES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bimages?\b|镜像"), "image"),
    (re.compile(r"\bports?\b|端口"), "ports"),
    (re.compile(r"\bips?\b|\bip\s+address(?:es)?\b|\baddress(?:es)?\b|ip\s*地址"), "ip"),
    (_NODE_FIELD_RE, "node"),
    (re.compile(r"\bnode\s*-?selectors?\b|节点选择器"), "node_selector"),
    (re.compile(r"(?<!node )(?<!node)\b(?:label\s+)?selectors?\b|(?<!节点)选择器"), "selector"),
    (re.compile(r"\bkeys?\b(?!\s*material)|键|字段"), "keys"),
    (
        re.compile(
            r"\bschedules?\b|\bwhen\s+does\b.*\brun\b|调度时间|什么时候(?:跑|运行|执行)|多久(?:跑|运行|执行)一次|cron\s*表达式"
        ),
        "schedule",
    ),
    (re.compile(r"\bsize\b|\bcapacity\b|\bhow\s+(?:big|large)\b|多大|容量|大小"), "capacity"),
    (re.compile(r"\btype\b|类型"), "type"),
    (re.compile(r"\blabels\s+(?:of|on)\b|\bwhat\s+labels\b|\bits\s+labels\b|标签有哪些|的标签是"), "labels"),
    (
        re.compile(
            r"\brestart\s+count|\bhow\s+many\s+(?:times\b.*\brestart|restarts)|重启次数|重启了几次|重启了多少次"
        ),
        "restarts",
    ),
    (re.compile(r"\bhow\s+old\b|\bage\s+of\b|运行了多久|多久了"), "age"),
    (re.compile(r"\bhosts?\b|\bhostnames?\b|\burls?\b|域名"), "hosts"),
    (re.compile(r"\benv(?:ironment)?\s+var(?:iable)?s?\b|\benvs\b|环境变量"), "env"),
    (re.compile(r"\b(?:which|what)\s+containers\b|有哪些容器|哪些容器"), "containers"),
)
#: Words joining two asks in one sentence ("pods and services", "pod 和 service").
_AND_EN = frozenset({"and", "plus", "also", "&", "as well as"})
_AND_ZH = ("和", "以及", "及", "与", "还有", "跟", "、", "并且")
#: Words that relate the asked kind to a named object of another kind ("pods on node x").
_RELATION_EN = frozenset(
    {"behind", "using", "uses", "use", "backing", "backed", "owned", "managed", "belonging",
     "belong", "belongs", "scheduled", "mounted", "mounting", "mounts", "mount", "selected",
     "targeted", "exposed", "exposing", "exposes", "serving", "serves", "on", "for", "of",
     "under", "attached", "bound", "referencing", "references", "involving"}
)  # fmt: skip

#: Chinese verbs that relate the asked kind to a named object ("pod 在用 redis-data").
_RELATION_ZH = ("用", "挂载", "引用", "属于", "运行在", "跑在", "调度到", "关联", "绑定", "选中", "暴露")

#: Words skipped when deciding whether two items are next to each other.
_FILLERS = frozenset({"the", "a", "an", "my", "our", "this", "that", "named", "called", "s"})

#: Everyday English words. They never count as unknown names, and a cached name spelt like
#: one (a namespace called ``default``, a service called ``kubernetes``) needs context.
_EN_STOP = frozenset(
    """a an the me my i we us you your our it its this that these those is are was were be
    itself themselves myself yourself ourselves himself herself
    been being am do does did have has had of in on at to for from with without by about
    and or not no please can could would should will shall may might must what which who
    whom whose where when how there here some any each every all both few more most other
    such only own same so than too very just also now then up down out over under again
    once currently current right give tell let know want need named called name names as
    into inside within across between via per kubectl kubernetes k8s running run runs
    state info information detail details thing things one ones them they their see look
    check find fetch display print output yaml json wide much many number count total long
    ago recent recently latest last tail lines line entries entry first next new old stored
    store contains contain default whole entire label labels labeled labelled selector
    with hey hi ok okay pls thanks thank using use used s t going on happening happened
    cause reason reasons why currently going keep keeps kept always still doing got
    there's it's what's anything everything something nothing namespace exist exists
    existing available defined configured created deployed present like warning warnings
    normal add age k rollout if whether resource resources high low instance than never ready older newer younger fewer desired expected restarted restarts
    least oldest newest sorted sort order ordered by times more percent ago since""".split()
)
#: The node's own programs (the kubelet, the container runtime) and the control plane's are
#: parts of Kubernetes, not objects a cache lists (kube-proxy and coredns are, and are cached).
_COMPONENTS = frozenset(
    """kubelet kubelets containerd cri-o docker etcd apiserver kube-apiserver kube-scheduler
    kube-controller-manager""".split()
)
#: Programs that run on each node: what is asked of them (a version) is asked of the nodes.
_NODE_PROGRAMS = frozenset({"kubelet", "kubelets", "containerd", "cri-o", "docker"})

_KIND_ALIASES_EN, _PLURAL_ALIASES = _english_kind_words()

_CUE_EN = (
    _LIST_EN | _GET_EN | _COUNT_EN | _LOGS_EN | _DELETE_EN | _RESTART_EN | _SCALE_EN
    | _REPLICA_EN | _SET_EN | _UPDATE_EN | _DIAG_EN | _TOP_EN | _VERSION_EN | _SECRET_VALUE_EN
    | _CONTAINER_EN
    | frozenset({"previous", "prior", "terminated", "most", "up", "down", "zero", "one",
                 "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"})
    | _ROLLBACK_EN | _ROLLOUT_RESTART_EN | _CORDON_EN | _UNCORDON_EN | _DRAIN_EN | _EXEC_EN | _CREATE_EN
    | _PORT_FORWARD_EN
    | _DETAIL_EN | frozenset(_FACTOR_WORDS_EN) | _RELATION_EN
    | frozenset({"image", "images", "port", "ports", "ip", "ips", "address", "addresses", "host", "hosts",
                 "hostname", "url", "urls", "env", "environment", "variables", "workload", "workloads",
                 "type", "policy", "disk", "time", "summary", "overview",
                 # An object's metadata and fields are named by these words, never an object.
                 "label", "labels", "selector", "selectors", "annotation", "annotations", "tag", "tags",
                 "key", "keys", "value", "values"})
    # Kubernetes states and an event's types are values in any language ("哪些节点不是 Ready
    # 状态", "最近的 warning 事件").
    | frozenset({"ready", "running", "succeeded", "completed", "terminating", "healthy", "warning",
                 "warnings", "normal"})
)  # fmt: skip
#: Tokens that are never names without context, in any language.
_RESERVED = (
    frozenset(_KIND_ALIASES_EN) | _CUE_EN | _COMPONENTS | {"k8s", "kubernetes", "kubectl", "yaml", "json"}
)
_LEXICON_EN = _RESERVED | _EN_STOP

_ZH_ENTRIES: tuple[str, ...] = tuple(
    sorted(
        set(_KIND_WORDS_ZH)
        | set(_LIST_ZH + _GET_ZH + _COUNT_ZH + _LOGS_ZH + _DELETE_ZH + _RESTART_ZH)
        | set(_SCALE_ZH + _REPLICA_ZH + _SET_ZH + _UPDATE_ZH + _DIAG_ZH + _TOP_ZH + _VERSION_ZH)
        | set(_PREVIOUS_ZH + _SECRET_VALUE_ZH + _ALL_NS_ZH + (_CONTAINER_ZH,) + _NEUTRAL_ZH)
        | set(
            _ROLLBACK_ZH
            + _ROLLOUT_RESTART_ZH
            + _CORDON_ZH
            + _UNCORDON_ZH
            + _DRAIN_ZH
            + _EXEC_ZH
            + _CREATE_ZH
            + _PORT_FORWARD_ZH
        )
        | set(_DETAIL_ZH)
        | set(_FACTOR_WORDS_ZH),
        key=lambda s: (-len(s), s),
    )
)
_ITEM_RE = re.compile(
    "(?P<zh>" + "|".join(map(re.escape, _ZH_ENTRIES)) + ")"
    r"|(?P<tok>[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)"
)
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUMERIC_RE = re.compile(r"\d+(?:\.\d+)*[a-z]{0,2}")

# Label selectors: k=v, k==v, k!=v, k in (a,b), k notin (a,b), comma-joined.
_LKEY = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?"
_LVAL = r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)"
_LREQ = (
    rf"(?:{_LKEY}\s*(?:==|!=|=)\s*{_LVAL}?(?![=\w])"
    rf"|{_LKEY}\s+(?:in|notin)\s*\(\s*{_LVAL}(?:\s*,\s*{_LVAL})*\s*\))"
)
_SELECTOR_RE = re.compile(rf"(?<![\w.=/-]){_LREQ}(?:\s*,\s*{_LREQ})*")
#: A well-known label key written before its value: "pods of tier streaming", "with app redis".
_LABEL_WORDS_RE = re.compile(
    rf"\b(?:of|with|where|for|labell?ed|label)\s+(?:the\s+)?(app|tier|env|environment|component)\s+"
    rf"(?!(?:is|are|was|the|of|in|notin|and|or|label|labels)\b)({_LVAL})"
)
_LABEL_COLON_RE = re.compile(rf"(?:\blabel(?:s|ed|led)?|标签(?:为|是)?)\s*:?\s*({_LKEY})\s*[:：]\s*({_LVAL})")
_REQ_SPLIT_RE = re.compile(r",(?![^()]*\))")
_SET_IN_RE = re.compile(rf"^({_LKEY})\s+(in|notin)\s*\((.*)\)$")
_SET_EQ_RE = re.compile(rf"^({_LKEY})\s*(==|!=|=)\s*(.*)$")
#: Selector keys that are really parameters written as key=value.
_WARNING_CUE = re.compile(r"\bwarnings?\b|警告|告警|异常事件")
_PARAM_KEYS = frozenset({"namespace", "ns", "name", "replicas", "tail", "container"})

_FLAG_RE = re.compile(
    r"(?<!\S)(?P<flag>-n|--namespace|-l|--selector|--tail|-c|--container|--replicas"
    r"|-p|--previous|-a|-A|--all-namespaces|-o|--output)(?:[=\s]+(?P<val>[^\s,，。？?;；|]+))?"
)

_NUM = r"(\d+(?![\d.])|(?:zero|one|two|three|four|five|six|seven|eight|nine|ten)(?![a-z])|[零〇一二两三四五六七八九十百]+)"  # noqa: E501
_NB = r"(?<![a-z0-9-])"
_REPLICA_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"\breplicas?\s*[=:]\s*{_NUM}",
        rf"(?:replicas?|副本数?|实例数)\s*(?:改成|改为|设为|设置为|设置成|调整为|调整到|调到|变成"
        rf"|调成|设成|改到|to|at|of|为|到|成)\s*{_NB}{_NUM}",
        rf"{_NB}{_NUM}\s*(?:个|份)?\s*(?:副本|实例|replicas?\b|instances?\b|copies\b|pods?\b)",
        rf"(?:\bto|到|至|成|为)\s*{_NB}{_NUM}",
    )
)
_TIMES_RE = re.compile(rf"{_NB}(\d+\.\d+|{_NUM[1:-1]})\s*(?:x|×|倍|times)(?![a-z])")
#: Arithmetic on the count: "乘以 2", "除以 3", "multiply by 2", "翻两番" (doubled twice),
#: "twice as big".
_MULTIPLY_RE = re.compile(
    rf"(?:乘以|乘上|\bmultiply\s+(?:it\s+)?by|\bmultiplied\s+by)\s*(?P<m>\d+(?:\.\d+)?|{_NUM[1:-1]})"
    rf"|(?:除以|\bdivide\s+(?:it\s+)?by|\bdivided\s+by)\s*(?P<d>\d+(?:\.\d+)?|{_NUM[1:-1]})"
    r"|翻(?P<f>一|两|二|三)番|\b(?P<t>twice|thrice)\s+(?:as\s+(?:big|large|many)|the\s+(?:size|replicas|pods|count))"
)
#: "扩大一倍", "增加一倍": grown by one fold, twice the count (扩到 3 倍 is three times).
_ONE_FOLD_RE = re.compile(r"(?:扩大|扩容|增加|增长|提高|翻|加|多)了?\s*一倍")
_DELTA_RE = re.compile(
    rf"\b(?:add|another|plus|remove|drop|minus|subtract)\s+{_NB}{_NUM}\s*(?:more\s+|extra\s+)?(?:replicas?|instances?|pods?|copies)\b"
    # "add 2 brokers to kafka": whatever the workload calls its replicas.
    rf"|\b(?:add|remove)\s+{_NB}{_NUM}\s+(?:more\s+)?[a-z]+\s+(?:to|from)\b"
    rf"|{_NB}{_NUM}\s+(?:more|extra|additional|fewer|less)\s+(?:replicas?|instances?|pods?|copies)\b"
    rf"|\b(?:up|down)\s+by\s+{_NB}{_NUM}(?!\s*(?:%|percent|x\b|times))"
)
#: "one more kafka broker", "two fewer workers", "再加两个", "再减一个": a count of more or
#: fewer of whatever the workload's replicas are called (gated, like every relative change,
#: by a scalable object).
_MORE_OF_RE = re.compile(
    rf"{_NB}{_NUM}\s+(?:more|extra|additional|fewer|less)\b(?!\s+(?:log\s+)?(?:lines?|rows?|entries|events|minutes?|hours?|seconds?|days?)\b)"
    rf"|(?:再加|再多加|多加|再添|再来|再扩|再减|再缩|再砍|少)\s*了?\s*{_NUM}\s*(?:个|份)?(?!\s*(?:行|条|分钟|小时|秒|天|倍|%))"
)
_RELATIVE_REPLICAS = re.compile(
    rf"\bby\s+{_NUM}|(?:增加|减少|多加|再加|再多|再减|加|减|多|少|添)\s*了?\s*{_NUM}\s*(?:个|份)?\s*(?:副本|实例|pod)"
    rf"|(?:副本|实例)数?\s*(?:再)?(?:增加|减少|多加|加|减|多|少|添)\s*了?\s*{_NUM}\s*(?:个|份)?"
)
#: A count something goes up or down to ("down to zero replicas", "up to 5", "调到 3 个"),
#: never a number of lines or a time.
_TARGET_COUNT_RE = re.compile(
    rf"\b(?:up|down|back)\s+to\s+{_NB}{_NUM}(?!\s*(?:%|percent|lines?|log|rows?|entries|[smhd]\b|min|hour|sec|day))"
    rf"|\bto\s+{_NB}{_NUM}\s+(?:replicas?|instances?|copies|pods?)\b"
    # An arrow to a count ("web -> 4 replicas", "副本 2→4"): where the count goes.
    rf"|(?:->|→)\s*{_NB}{_NUM}(?!\s*(?:%|percent|lines?|rows?|entries|[smhd]\b|min|hour|sec|day|行|条|分钟|小时|秒|天))"
    rf"|(?:调到|调成|调整到|调整为|降到|升到|减到|加到|变成|改成|扩成|缩成|缩回|扩回|缩减到|扩大到|缩小到|缩至|扩至)"
    rf"\s*(?:到)?\s*{_NB}{_NUM}\s*(?:个|份)?(?!\s*(?:行|条|分钟|小时|秒|天|倍|%))"
)
#: A signed count in a scale request ("scale worker +1", "-2"): a change, not a target.
_SIGNED_RE = re.compile(r"(?<![\w-])([+-])\s*(\d+)(?![\w.%])")
#: A share of the current count ("down by a third", "增加一半"): its direction says the sign.
_SHARES = {"half": 0.5, "third": 1 / 3, "quarter": 0.25, "一半": 0.5, "二分之一": 0.5, "三分之一": 1 / 3,
           "四分之一": 0.25}  # fmt: skip
_TO_SHARE_RE = re.compile(r"(?:到|成|为|至)(?:原来的?|当前的?|现在的?)?\s*$|\bto\s+(?:a\s+|one\s+)?$")
_SHARE_RE = re.compile(
    r"\b(?:by|to)\s+(?:a\s+|one\s+)?(half|third|quarter)\b|(二分之一|三分之一|四分之一|一半)"
    # A written fraction of the count: "减少 1/3", "cut by 2/3", "缩到 1/2".
    r"|(?<![\w/.])(?P<num>[1-9])\s*/\s*(?P<den>[2-9])(?![\w/.])"
)
_TAIL_UNIT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"{_NB}{_NUM}\s*(?:log\s+)?(?:lines?|rows?)\b",
        rf"{_NB}{_NUM}\s*(?:行|条)",
    )
)
_TAIL_LOG_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        rf"\b(?:last|latest|final|recent|tail|bottom)\s+{_NB}{_NUM}",
        rf"(?:最近|最后|末尾|尾部|最新|后)\s*的?\s*{_NB}{_NUM}",
    )
)
_NUM_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}  # fmt: skip

#: When a name exists as several kinds, the kind a bare mention most likely means.
_KIND_PREFERENCE: tuple[str, ...] = tuple(k.name for k in kinds.TABLE)
#: Kinds whose pods a mention of the kind's object stands for.
_WORKLOAD_KINDS: tuple[str, ...] = kinds.WORKLOADS
_SCALABLE = ("deployment", "statefulset", "replicaset")
_CLUSTER_SCOPED = frozenset({k.name for k in kinds.TABLE if not k.namespaced} | {"cluster"})


# ---------------------------------------------------------------------------------------
# Public records
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The names the cache holds: what users can mention."""

    namespaces: tuple[str, ...]
    """Every namespace the cache knows."""
    names: dict[str, tuple[tuple[str | None, str], ...]] = field(default_factory=dict)
    """Canonical kind → (namespace, name) pairs; namespace None for cluster-scoped kinds."""

    @classmethod
    def from_objects(
        cls, namespaces: Iterable[str], objects: Iterable[tuple[str, str | None, str]]
    ) -> Vocabulary:
        """Build from namespaces and (kind, namespace, name) keys, as the store yields them."""
        grouped: dict[str, list[tuple[str | None, str]]] = {}
        for kind, namespace, name in objects:
            grouped.setdefault(kind, []).append((namespace, name))
        return cls(
            namespaces=tuple(namespaces),
            names={kind: tuple(pairs) for kind, pairs in grouped.items()},
        )


@dataclass(frozen=True)
class Relation:
    """A named object of another kind that narrows what is asked ("pods on node worker-b7")."""

    kind: str
    """The named object's kind (``node``, ``deployment``, ``service``, ...)."""
    name: str
    """Its name, lowercase, exactly as written."""
    relation: RelationType
    """How the asked objects relate to it: ``on_node`` (pods scheduled on it), ``owned_by``
    (pods or ReplicaSets of a workload), ``selected_by`` (pods a service selects), ``uses``
    (pods mounting a PVC, ConfigMap or Secret, or running as a ServiceAccount), ``used_by``
    (the ConfigMaps, Secrets or PVCs a workload or pod mounts),
    ``involves`` (events about it), ``selects`` (services selecting its pods), ``related``."""


@dataclass(frozen=True)
class Predicate:
    """A condition on each listed object: ``restarts == 0``, ``age_s > 86400``."""

    field: str
    """``status``, ``ready``, ``restarts``, ``age_s`` or ``ready_replicas``."""
    op: Literal["==", "!=", "<", "<=", ">", ">="]
    value: str | int | bool | None = None
    """The value compared with, or None when ``other`` names the other side."""
    other: str | None = None
    """Another field of the same object to compare with (``ready_replicas < replicas``)."""


@dataclass(frozen=True)
class Understanding:
    """What a request asks for and which names it mentions, before any lookup."""

    intent: Intent
    """``query`` (查询类), ``action`` (操作类, a write) or ``analysis`` (分析类)."""
    resource: str
    """Canonical kind, lowercase singular, or ``cluster``."""
    operation: Operation
    language: Literal["zh", "en"]
    confidence: float
    """0..1; lower when the kind or the operation was a default rather than stated."""
    namespace: str | None = None
    """A namespace the user named that the cache knows."""
    namespace_mention: str | None = None
    """The namespace as the user typed it, known or not (``payments``, ``boutgue``)."""
    all_namespaces: bool = False
    name_mention: str | None = None
    """The object name the user named (lowercase), known or not."""
    name_kind: str | None = None
    """The kind the name was found as in the vocabulary; None when unknown."""
    name_mentions: tuple[str, ...] = ()
    """Every object name mentioned, in order; ``name_mention`` is the one the request is about."""
    kind_stated: bool = False
    """Whether the user named the kind, rather than it being inferred."""
    label_selector: str | None = None
    """Requirements joined with commas, e.g. ``app=redis-cart,tier!=db``."""
    replicas: int | None = None
    container: str | None = None
    tail: int | None = None
    previous: bool = False
    wants_secret_value: bool = False
    """The user asks to reveal a secret's value; the agent refuses that."""
    count_only: bool = False
    problem_only: bool = False
    warnings_only: bool = False
    """Only Warning events ("warning events", "告警事件")."""
    unknown_words: tuple[str, ...] = ()
    """Name-like words that are neither known names nor vocabulary words."""
    notes: tuple[str, ...] = ()
    """Why an unusual reading was chosen (e.g. restart read as deleting the pod)."""
    reasons: tuple[str, ...] = ()
    """The evidence that decided the reading, one short phrase each (``kind 'pod' stated``,
    ``namespace 'logs' after 'in'``); a caller may send a low ``confidence`` reading with its
    reasons to a model or ask the user."""
    relations: tuple[Relation, ...] = ()
    """Named objects of another kind that narrow the objects asked for."""
    replicas_factor: float | None = None
    """A relative scale: multiply the cached replicas (2.0 "double", 0.5 "减半", 1.5 "+50%")."""
    replicas_delta: int | None = None
    """A relative scale: add to the cached replicas (+2 "add two replicas", -1)."""
    since_seconds: int | None = None
    """A time window ("the last two hours" → 7200); never a ``tail`` count."""
    grep: str | None = None
    """Only log lines containing this text, as typed ("ERROR")."""
    grep_out: str | None = None
    """Only log lines not containing this text (``| grep -v health``)."""
    predicates: tuple[Predicate, ...] = ()
    """Conditions each listed object must meet (not ready, never restarted, older than a day)."""
    sort_by: str | None = None
    """Order the objects by ``restarts``, ``age``, ``cpu``, ``memory`` or ``name``."""
    descending: bool = True
    """With ``sort_by``: largest first ("restarted most", "oldest")."""
    limit: int | None = None
    """How many objects are asked for ("top 3", "which pod ... most" → 1)."""
    group_by: str | None = None
    node_state: str | None = None
    """Pods on the nodes in this state, named by it rather than by name ("pods on the node
    that is not ready", "NotReady 节点上的 pod"): ``NotReady``, ``SchedulingDisabled`` or a
    pressure condition (``DiskPressure``, ``MemoryPressure``, ``PIDPressure``)."""
    """Count the objects per ``namespace`` or per ``node`` ("which namespace has the most pods",
    "每个节点上有几个 pod"); with ``limit`` 1, the group with the most (or, not ``descending``, fewest)."""
    fields: tuple[str, ...] = ()
    """The fields asked for rather than whole objects: ``image``, ``ports``, ``ip``,
    ``node``, ``labels``, ``restarts``, ``age``, ``replicas``, ``containers``,
    ``resources`` (limits and requests), or a kind (``storageclass`` of a PVC)."""
    command: tuple[str, ...] = ()
    """For ``exec``: the command and its arguments, as typed (``("redis-cli", "info")``)."""
    wants_content: bool = False
    """The request asks what a ConfigMap holds (its values, not only its key names), which
    the cache does not keep: only a live read shows it."""
    every: bool = False
    """A write over no named object but every object of a kind, a namespace's content or the
    whole cluster ("delete all namespaces", "把所有 pod 都删了", "wipe the cluster")."""
    also: tuple[Understanding, ...] = ()
    """Further asks of the same sentence ("list pods and services"), each a full reading."""
    data: tuple[tuple[str, str], ...] = ()
    """For ``create`` of a ConfigMap: its keys and values, as typed (``beta=true``)."""
    image: str | None = None
    """For ``create`` of a Deployment: the image its one container runs."""


# ---------------------------------------------------------------------------------------
# The matcher: built once per vocabulary
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matcher:
    """Lookup tables for one :class:`Vocabulary`; build with :func:`build_matcher`."""

    namespaces: frozenset[str]
    kinds_by_name: dict[str, tuple[str, ...]]
    """Lowercase name → the kinds it exists as, most likely first."""


_MATCHER_CACHE: dict[int, tuple[Vocabulary, Matcher]] = {}
_MATCHER_CACHE_SIZE = 8


def build_matcher(vocab: Vocabulary) -> Matcher:
    """Index a vocabulary's names; cached by the vocabulary's identity.

    Callers rebuild the vocabulary when the cache changes, so identity is the right key
    (and a dict-holding dataclass cannot be hashed). The cache keeps the vocabulary alive
    so that its id is never reused for another one while cached.
    """
    hit = _MATCHER_CACHE.get(id(vocab))
    if hit is not None and hit[0] is vocab:
        return hit[1]
    rank = {kind: i for i, kind in enumerate(_KIND_PREFERENCE)}
    kinds: dict[str, set[str]] = {}
    for kind, pairs in vocab.names.items():
        for _namespace, name in pairs:
            kinds.setdefault(name.lower(), set()).add(kind)
    matcher = Matcher(
        namespaces=frozenset(ns.lower() for ns in vocab.namespaces),
        kinds_by_name={
            name: tuple(sorted(found, key=lambda k: (rank.get(k, len(rank)), k)))
            for name, found in kinds.items()
        },
    )
    if len(_MATCHER_CACHE) >= _MATCHER_CACHE_SIZE:
        _MATCHER_CACHE.pop(next(iter(_MATCHER_CACHE)))
    _MATCHER_CACHE[id(vocab)] = (vocab, matcher)
    return matcher


# ---------------------------------------------------------------------------------------
# Analysis
# ---------------------------------------------------------------------------------------


@dataclass
class _Item:
    """One token of the request: a Chinese lexicon word or an ASCII name-like run."""

    text: str
    start: int
    end: int
    zh: bool
    kind: str | None = None
    """Canonical kind when the item names a kind."""
    plural: bool = False
    role: str | None = None
    """What the item turned out to be: ns, name, container, label, qualifier."""
    strong: bool = False
    """Quoted or back-ticked: a name whatever the word."""


def _parse_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text in _NUM_WORDS:
        return _NUM_WORDS[text]
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _first_number(patterns: Iterable[re.Pattern[str]], text: str) -> int | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            value = _parse_number(match.group(1))
            if value is not None:
                return value
    return None


def _normalise_selector(raw: str) -> str:
    parts = []
    for requirement in _REQ_SPLIT_RE.split(raw):
        requirement = requirement.strip()
        in_match = _SET_IN_RE.match(requirement)
        if in_match:
            values = ",".join(v.strip() for v in in_match.group(3).split(","))
            parts.append(f"{in_match.group(1)} {in_match.group(2)} ({values})")
            continue
        eq_match = _SET_EQ_RE.match(requirement)
        if eq_match:
            op = "=" if eq_match.group(2) == "==" else eq_match.group(2)
            parts.append(f"{eq_match.group(1)}{op}{eq_match.group(3).strip()}")
    return ",".join(parts)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


@dataclass
class _Extracted:
    """Parameters found by pattern before tokenizing, and the text with them blanked."""

    text: str
    namespace: str | None = None
    name: str | None = None
    selector: list[str] = field(default_factory=list)
    tail: int | None = None
    replicas: int | None = None
    container: str | None = None
    previous: bool = False
    all_namespaces: bool = False
    output: str | None = None
    """kubectl's ``-o`` value (``yaml``, ``jsonpath='{.data.password}'``)."""
    name_kind: str | None = None
    """The kind a ``kind=name`` pair gave the name (``pod=web-0`` of an alert's labels)."""


def _extract_flags_and_selectors(text: str) -> _Extracted:
    """Pull kubectl-style flags and label selectors out, keeping the value's case."""
    out = _Extracted(text=text)
    for match in list(_FLAG_RE.finditer(text)):
        flag, value = match.group("flag"), match.group("val")
        takes_value = flag not in ("-p", "--previous", "-a", "-A", "--all-namespaces")
        if flag in ("-p", "--previous"):
            out.previous = True
        elif flag in ("-a", "-A", "--all-namespaces"):
            out.all_namespaces = True
        elif value is None:
            continue
        elif flag == "-n" and value.isdigit() and re.search(r"\b(?:tail|head)\s*$", text[: match.start()]):
            out.tail = int(value)  # "tail -n 20": the Unix line count, not kubectl's namespace
        elif flag in ("-n", "--namespace"):
            out.namespace = value
        elif flag in ("-l", "--selector"):
            out.selector.append(value)
        elif flag == "--tail":
            out.tail = _parse_number(value)
        elif flag in ("-c", "--container"):
            out.container = value.lower()
        elif flag == "--replicas":
            out.replicas = _parse_number(value)
        elif flag in ("-o", "--output"):
            out.output = value
        end = match.end() if takes_value else match.start("flag") + len(flag)
        out.text = _blank(out.text, match.start(), end)
    for match in list(_LABEL_COLON_RE.finditer(out.text)):
        out.selector.append(f"{match.group(1)}={match.group(2)}")
        out.text = _blank(out.text, match.start(1), match.end())
    selectors: list[str] = []
    for match in list(_SELECTOR_RE.finditer(out.text)):
        kept = []
        for requirement in _REQ_SPLIT_RE.split(match.group(0)):
            key_match = _SET_EQ_RE.match(requirement.strip())
            key = key_match.group(1).lower() if key_match else ""
            kind = kinds.kind_of_word(key) if key_match and key_match.group(2) != "!=" else None
            if kind not in (None, "namespace", "cluster") and key_match and out.name is None:
                # "pod=web-0 severity=warning" (an alert's labels): a kind's key names an object.
                out.name, out.name_kind = key_match.group(3).strip().lower(), kind
            elif key_match and key in _PARAM_KEYS and key_match.group(2) != "!=":
                value = key_match.group(3).strip()
                if key in ("namespace", "ns"):
                    out.namespace = value
                elif key == "name":
                    out.name = value.lower()
                elif key == "replicas":
                    out.replicas = _parse_number(value)
                elif key == "tail":
                    out.tail = _parse_number(value)
                else:
                    out.container = value.lower()
            elif re.search(
                r"[a-z]", re.split(r"\s*(?:==|!=|=|\s)\s*", requirement.strip(), maxsplit=1)[0], re.I
            ):
                kept.append(requirement)
            # A key with no letter (``1=1``) compares numbers: it is no label requirement.
        if kept:
            selectors.append(",".join(kept))
        out.text = _blank(out.text, match.start(), match.end())
    if out.name_kind is None:
        # Beside an object named by its kind's key, the other pairs are the alert's own
        # labels (severity, alertname), no selector of the object.
        out.selector.extend(selectors)
    for match in list(_LABEL_WORDS_RE.finditer(out.text)):
        if kinds.kind_of_word(match.group(2)) is None:
            out.selector.append(f"{match.group(1)}={match.group(2)}")
            out.text = _blank(out.text, match.start(1), match.end())
    return out


#: An English contraction's negation right after a word ("won't", "isn't", "doesn't").
_CONTRACTION_RE = re.compile(r"'t\b")
#: What follows the apostrophe of a contraction or a possessive ("it's", "we're", "api's").
_CLITICS = frozenset({"t", "s", "re", "ll", "ve", "m", "d"})


#: Words before 空间 that make it room (space) rather than a namespace.
_AMOUNT_BEFORE_ZH_RE = re.compile(r"(?:多大|多少|磁盘|存储|剩余|可用|硬盘)\s*$")


def _tokenize(low: str) -> list[_Item]:
    items = []
    for match in _ITEM_RE.finditer(low):
        text = match.group(0)
        is_zh = match.group("zh") is not None
        if not is_zh and _CONTRACTION_RE.match(low, match.end()):
            continue  # "won't", "doesn't": an auxiliary and its negation are grammar, never names
        if not is_zh and low[match.start() - 1 : match.start()] == "'" and text in _CLITICS:
            continue
        item = _Item(text=text, start=match.start(), end=match.end(), zh=is_zh)
        if is_zh:
            item.kind = _KIND_WORDS_ZH.get(text)
            if text == "空间" and _AMOUNT_BEFORE_ZH_RE.search(low[: match.start()]):
                item.kind = None  # "多大空间", "磁盘空间": room on a disk, not a namespace
        elif text in _KIND_ALIASES_EN:
            item.kind = _KIND_ALIASES_EN[text]
            item.plural = text in _PLURAL_ALIASES
        items.append(item)
    return items


#: English kind words long enough to be told apart when mistyped ("deploymnets").
_LONG_KIND_WORDS = tuple(w for w in _KIND_ALIASES_EN if len(w) >= 6)


def _misspelt_kind(text: str, matcher: Matcher) -> str | None:
    """The kind a mistyped kind word means, unless the word is a cached name."""
    if len(text) < 6 or text in _LEXICON_EN or text in matcher.kinds_by_name or text in matcher.namespaces:
        return None
    if "-" in text or any(ch.isdigit() for ch in text):
        return None
    best = max(_LONG_KIND_WORDS, key=lambda w: similarity(text, w))
    return best if similarity(text, best) >= 0.85 else None


def _join_spaced(items: list[_Item], low: str, matcher: Matcher) -> list[_Item]:
    """A cached name written with a space for its hyphen, or split in two.

    ("payments gateway" for ``payments-gateway``, "cart service" for ``cartservice``), when
    its first word alone names nothing the cache knows.
    """
    joined: list[_Item] = []
    for item in items:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and not prev.zh
            and not item.zh
            and prev.kind is None
            and low[prev.end : item.start].isspace()
            and prev.text not in matcher.kinds_by_name
            and prev.text not in matcher.namespaces
            # "the redis password": a credential word stays the word, so the value is refused.
            and item.text not in _SECRET_VALUE_EN | _CREDENTIAL_EN
        ):
            known = [
                w
                for w in (f"{prev.text}-{item.text}", f"{prev.text}{item.text}")
                if w in matcher.kinds_by_name or w in matcher.namespaces
            ]
            if known:
                joined[-1] = _Item(text=known[0], start=prev.start, end=item.end, zh=False)
                continue
        joined.append(item)
    return joined


def _split_glued(item: _Item, matcher: Matcher) -> list[_Item]:
    """Split ``frontend-pod`` into a known name and a kind word."""
    if "-" not in item.text or item.text in matcher.kinds_by_name:
        return [item]
    parts = item.text.split("-")
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = "-".join(parts[:cut]), "-".join(parts[cut:])
        known = head in matcher.kinds_by_name or head in matcher.namespaces
        if known and tail in _KIND_ALIASES_EN:
            split = item.start + len(head)
            return [
                _Item(text=head, start=item.start, end=split, zh=False),
                _Item(
                    text=tail,
                    start=split + 1,
                    end=item.end,
                    zh=False,
                    kind=_KIND_ALIASES_EN[tail],
                    plural=tail in _PLURAL_ALIASES,
                ),
            ]
    return [item]


def _neighbour(items: list[_Item], index: int, step: int) -> _Item | None:
    j = index + step
    while 0 <= j < len(items):
        if items[j].zh or items[j].text not in _FILLERS:
            return items[j]
        j += step
    return None


def _has_any(found: frozenset[str], words: tuple[str, ...]) -> bool:
    if not found:
        return False
    as_set = _WORD_SETS.get(words)
    if as_set is None:
        as_set = _WORD_SETS[words] = frozenset(words)
    return not found.isdisjoint(as_set)


_WORD_SETS: dict[tuple[str, ...], frozenset[str]] = {}


@dataclass
class _Cues:
    """Which meaning-bearing words the request contains."""

    list_: bool = False
    get: bool = False
    count: bool = False
    logs: bool = False
    delete: bool = False
    restart: bool = False
    scale: bool = False
    replica: bool = False
    set_: bool = False
    diagnose: bool = False
    why: bool = False
    top: bool = False
    version: bool = False
    previous: bool = False
    secret_value: bool = False
    all_ns: bool = False
    rollback: bool = False
    rollout_restart: bool = False
    cordon: bool = False
    uncordon: bool = False
    drain: bool = False
    exec_: bool = False
    detail: bool = False
    create: bool = False
    update: bool = False
    portforward: bool = False


#: "replica count", "restart count", "sorted by pod count": a field's number (or an order's
#: key), not a count of the objects asked.
_FIELD_COUNT_RE = re.compile(
    r"\b(?:replicas?|restarts?|containers?)\s+(?:count|total)\b|\bby\s+[a-z]+\s+count\b"
)


def _counts_zh(low: str, zh_text: frozenset[str]) -> bool:
    """A Chinese count word; 多少 after the copula asks a value ("版本是多少"), "有多少个" counts."""
    if not _has_any(zh_text, _COUNT_ZH):
        return False
    if "哪几" in low and not re.search(r"几|多少|数量|总数|统计|数一", low.replace("哪几", "")):
        return False  # "是哪几个": which ones, no count
    return "多少" not in zh_text or _has_any(zh_text, _COUNT_ZH_OTHER) or not _VALUE_ASKED_ZH_RE.search(low)


def _read_cues(low: str, zh_text: frozenset[str], tokens: set[str]) -> _Cues:
    return _Cues(
        list_=bool(tokens & _LIST_EN) or _has_any(zh_text, _LIST_ZH),
        get=bool(tokens & _GET_EN) or _has_any(zh_text, _GET_ZH),
        count=bool(_COUNT_PHRASE_EN.search(low))
        or (bool(tokens & {"count", "total"}) and not _FIELD_COUNT_RE.search(low))
        or _counts_zh(low, zh_text),
        logs=bool(tokens & (_LOGS_EN | {"tail"})) or _has_any(zh_text, _LOGS_ZH),
        delete=bool(tokens & _DELETE_EN)
        or _has_any(zh_text, _DELETE_ZH)
        or bool(_DELETE_VERB_ZH_RE.search(low))
        or bool(_DELETE_PHRASE_EN.search(low)),
        restart=bool(tokens & _RESTART_EN) or _has_any(zh_text, _RESTART_ZH),
        scale=bool(tokens & _SCALE_EN) or _has_any(zh_text, _SCALE_ZH),
        replica=bool(tokens & _REPLICA_EN) or _has_any(zh_text, _REPLICA_ZH),
        # A state to bring about ("make sure X has 3 replicas", "确保 X 有 3 个副本") sets it.
        set_=bool(tokens & _SET_EN) or _has_any(zh_text, _SET_ZH) or bool(_ENSURE_RE.search(low)),
        # A cause asked for is a why ("root cause?", "what caused it", "what killed the pod").
        why=bool(tokens & {"why", "cause", "caused", "causes", "causing"})
        or bool(_WHAT_KILLED_RE.search(low))
        or _has_any(zh_text, _WHY_ZH)
        or bool(_WHY_ZH_RE.search(low)),
        diagnose=bool(tokens & _DIAG_EN)
        or bool(_DIAG_PHRASE_EN.search(low))
        or _has_any(zh_text, _DIAG_ZH)
        or bool(_CANNOT_ZH_RE.search(low))
        or bool(_HAPPENED_ZH_RE.search(low)),
        top=bool(tokens & _TOP_EN) or _has_any(zh_text, _TOP_ZH),
        version=bool(tokens & _VERSION_EN) or _has_any(zh_text, _VERSION_ZH),
        previous=bool(_PREVIOUS_EN.search(low)) or _has_any(zh_text, _PREVIOUS_ZH),
        secret_value=bool(tokens & _SECRET_VALUE_EN) or _has_any(zh_text, _SECRET_VALUE_ZH),
        all_ns=bool(_ALL_NS_EN.search(low)) or _has_any(zh_text, _ALL_NS_ZH),
    )


def _zh_namespace_context(low: str, item: _Item) -> bool:
    """``在 X``, ``X 里/中/下/内`` in Chinese mark X as a namespace."""
    before = low[: item.start].rstrip()
    after = low[item.end :].lstrip()
    return before.endswith("在") or after[:1] in ("里", "中", "下", "内")


def _amount(text: str | None) -> float | None:
    """A number as written in a window or age: ``2``, ``two``, ``an``, ``两``, ``半``."""
    if text is None or text in ("a", "an"):
        return 1.0
    if text == "半":
        return 0.5
    value = _parse_number(text.replace("半", ""))
    if value is not None and text.endswith("半"):
        return value + 0.5
    return None if value is None else float(value)


def _seconds(match: re.Match[str]) -> int | None:
    amount = _amount(match.group("num"))
    unit = _UNIT_SECONDS.get(match.group("unit"))
    return None if amount is None or unit is None else int(amount * unit)


_NAME_SHAPE_RE = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)+|[a-z]+\d[a-z0-9]*|\d+[a-z][a-z0-9]*")
_JSON_REF_RE = re.compile(r"\{[^{}]*\}")
_SLASH_REF_RE = re.compile(r"(?<![\w./-])([A-Za-z]+)/([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?![\w/-])")
_QUOTED_RE = re.compile(r"[\"'`“‘「]([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[\"'`”’」]")
_AGE_GATE = re.compile(r"than|over|超过|大于|多于|早于|不到|少于|小于|不足")
_WINDOW_GATE = re.compile(r"last|past|previous|recent|latest|ago|最近|过去|近|前|内")
#: What makes a later ``--`` kubectl exec's separator: a verb of running a command before it.
_RUN_BEFORE_RE = re.compile(r"\b(?:exec|execute|run|shell|sh|bash|attach)\b|执行|运行|跑|进入|登录|登陆")
_COMMAND_GATE = re.compile(r"--|\brun\b|execute|exec|执行|运行|跑|`")
_FIELD_SELECTOR_RE = re.compile(r"--field-selector[=\s]+(\S+)")
_SORT_FLAG_RE = re.compile(r"--sort-by[=\s]+(\S+)")
_OTHER_FLAG_RE = re.compile(r"(?<!\S)--?[A-Za-z][\w-]*(?:=\S*)?")
_SINCE_FLAG_RE = re.compile(r"--since[=\s]+(\d+)([smhd])\b")
_ON_NODE_RE = re.compile(r"(?:\bon|\bto|在)(?:\s+the)?(?:\s+node)?$")


@dataclass
class _Reading:
    """What the phases of :func:`analyze` have found so far; each phase fills its part."""

    query: str
    matcher: Matcher
    language: Literal["zh", "en"] = "en"
    text: str = ""
    """The request after normalising, with extracted parameters blanked (case kept)."""
    low: str = ""
    same_length: bool = True
    extracted: _Extracted = field(default_factory=lambda: _Extracted(text=""))
    items: list[_Item] = field(default_factory=list)
    quoted: list[tuple[int, int]] = field(default_factory=list)
    ref_kind: str | None = None
    cues: _Cues = field(default_factory=lambda: _Cues())
    container: str | None = None
    ns_items: list[_Item] = field(default_factory=list)
    name_items: list[_Item] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    namespace_mention: str | None = None
    namespace: str | None = None
    operation: Operation = "list"
    op_stated: bool = True
    resource: str = "pod"
    kind_stated: bool = False
    name_mentions: tuple[str, ...] = ()
    name_mention: str | None = None
    name_kind: str | None = None
    relations: list[Relation] = field(default_factory=list)
    replicas: int | None = None
    replicas_factor: float | None = None
    replicas_delta: int | None = None
    tail: int | None = None
    since_seconds: int | None = None
    grep: str | None = None
    grep_out: str | None = None
    command: tuple[str, ...] = ()
    predicates: list[Predicate] = field(default_factory=list)
    sort_by: str | None = None
    descending: bool = True
    limit: int | None = None
    fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    node_state: str | None = None
    hypothetical: bool = False
    """A change asked as a supposition ("要是缩一半的话是几个"): computed, never planned."""
    fallback_name: bool = False
    fallback_kind: str | None = None
    """The kind of the cached name a misspelt one is closest to ("biling" → deployment)."""
    ns_alias: dict[str, str] = field(default_factory=dict)
    """Words that stand for a known namespace they are a part of."""
    ns_located: bool = False
    """A namespace was named as where to look ("in X", "在 X 里"), not as the object."""

    def typed(self, item: _Item) -> str:
        return self.text[item.start : item.end] if self.same_length else item.text

    def reserved(self, text: str) -> bool:
        # In a Chinese request English filler words do not occur; only kind and cue
        # words need context there.
        return text in (_RESERVED if self.language == "zh" else _LEXICON_EN)

    def blank(self, start: int, end: int) -> None:
        self.text = _blank(self.text, start, end)

    @property
    def stated(self) -> list[_Item]:
        """Kind words that name what is asked (not a namespace qualifier or a relation)."""
        return [it for it in self.items if it.kind is not None and it.role is None]

    @property
    def stated_kinds(self) -> list[str]:
        return [it.kind for it in self.stated if it.kind is not None and it.kind != "cluster"]


def analyze(query: str, vocab: Vocabulary) -> Understanding:
    """Read one request against the names the cache holds.

    The reading runs in phases, each a function of its own: normalise the text, take out
    structured references, flags and selectors, numbers that are not names (time windows,
    log line filters), tokenize and find the kind words, find the container, the
    namespaces and names (from the vocabulary, or on strong evidence), read the cue words
    left over, then decide namespace, operation, resource and target name, and read
    relations, numbers, filters and further asks.

    Args:
        query: The user's request, in Chinese or English.
        vocab: The namespaces and object names known to the cache.

    Returns:
        The intent, kind, operation and every mention found, with the reading's
        ``confidence`` and the ``reasons`` for it. Unknown name-like words in a name or
        namespace position are kept as mentions so the caller can offer the nearest
        known names.
    """
    r = _Reading(query=query, matcher=build_matcher(vocab))
    for phase in _PHASES:
        phase(r)
    reading = _clause_asks(query, vocab, _further_asks(r, _compose(r)))
    if (
        _WHERE_THEY_ARE_RE.search(query.lower())
        and kinds.is_namespaced(reading.resource)
        and any(a.resource == "namespace" and a.name_mention is None for a in reading.also)
    ):
        # "…, and tell me which namespace they are in": the listing shows each one's namespace.
        reading = replace(reading, also=tuple(a for a in reading.also if a.resource != "namespace"))
    if reading.group_by and any(
        a.resource == reading.group_by and a.name_mention is None for a in reading.also
    ):
        # "how many statefulsets, and in which namespaces": the count per namespace answers both.
        kept = tuple(
            a for a in reading.also if not (a.resource == reading.group_by and a.name_mention is None)
        )
        reading = replace(reading, also=kept)
    secret = next((a for a in reading.also if a.wants_secret_value), None)
    if secret is not None and not reading.wants_secret_value:
        # A Secret's value asked anywhere in the sentence is the ask that decides the turn (it
        # is declined); the other asks travel with it, never answered in its place.
        others = tuple(a for a in reading.also if a is not secret)
        reason = "a Secret's value is asked: that ask comes first"
        return replace(secret, also=(replace(reading, also=()), *others), reasons=(*secret.reasons, reason))
    return reading


#: Where one clause of a sentence ends and another begins ("show its logs, then restart it",
#: "看一下日志再把它扩到 3 个", "列出 pod，顺便看看日志").
#: The namespace of the objects asked, asked of them: "which namespace they are in", "它们在哪个命名空间".
_WHERE_THEY_ARE_RE = re.compile(
    r"\b(?:which|what)\s+namespaces?\s+(?:they|it|these|those|each)\b|\bwhere\s+(?:they|it)\s+(?:are|is|live|run)s?\b"
    r"|(?:它们|它|分别)\s*(?:都)?(?:在|属于)\s*哪(?:个|些)?\s*(?:命名空间|namespace)"
)
_CLAUSE_RE = re.compile(
    r"\s*(?:[，,;；。]\s*(?:and\s+|then\s+|and\s+then\s+)?|\s+and\s+then\s+|\s+then\s+|\s+and\s+(?=[a-z']+\s))"
    r"|然后|接着|顺便|之后|再把|再(?=[看查列删重扩缩])"
    # A question followed by another ("postgres 用的什么镜像？kafka 呢").
    r"|[？?]\s*(?=\S)"
    # A full stop and a new sentence ("show me X in boutique. also what's …"), not a version
    # or a domain ("v1.2", "api.example.com").
    r"|(?<=[A-Za-z0-9)])\.\s+(?=[A-Za-z\u4e00-\u9fff])"
)
#: A clause that is only a name and "and ... ?" ("kafka 呢", "what about kafka", "and kafka?"):
#: the first clause asked again of that name.
_ELLIPSIS_RE = re.compile(
    r"^\s*(?:(?:and|also|then|what\s+about|how\s+about)\s+|(?:另外|还有|那|那么|再看看?)\s*)?"
    r"(?P<name>[a-z0-9][a-z0-9.-]*)\s*(?:呢|的呢|\?|？)?\s*[?？]?\s*$"
)
_PRONOUN_RE = re.compile(r"\b(?:it|its|them|their)\b|它们|它的|它")
#: A possessive pronoun and a kind word: "its pvc", "their services".
_OWNED_KIND_RE = re.compile(r"\b(its|their)\s+([a-z]+)\b")
#: A clause opening on a place with no object ("上面跑着哪些 pod", "里面有什么"): on or in the
#: object the clause before named.
_PLACE_OPENING_RE = re.compile(r"^\s*(?:那|这)?(?=上面|上边|上头|里面|里边|下面)")
#: A diagnosis asked for in words ("check X", "排查一下 X"), not only its symptoms stated.
_ASKS_CHECK_RE = re.compile(
    r"\b(?:diagnose|troubleshoot|check|investigate|debug|inspect|look\s+(?:at|into)|show|tell)\b"
    r"|看看|看一下|看下|查一下|查查|排查|诊断|检查|分析"
)
#: "which one", "哪个", "其中": a clause asking of the objects the clause before named.
_WHICH_OF_THEM_RE = re.compile(r"\bwhich\s+(?:one|ones|of\s+them)\b|哪个|哪一个|哪几个|哪些是|其中")
#: A question asked: a question mark, or a Chinese question word or particle.
_QUESTION_RE = re.compile(
    r"[?？]|\b(?:what|which|why|how|who|where|when)\b|^\s*(?:is|are|does|do|did|can|could|has|have)\b"
    r"|吗|呢|什么|哪|几|多少|怎么|为什么|为啥|是否"
)


def _clause_asks(query: str, vocab: Vocabulary, reading: Understanding) -> Understanding:
    """Two clauses with two different operations are two asks; the second is never dropped.

    Each clause is read on its own (a pronoun in the second stands for the first clause's
    name); when their operations differ and the whole sentence was read as one of them, the
    other clause travels in ``also``, to be answered or named as not done.
    """
    parts = _clauses(query)
    if len(parts) != 2 or reading.operation == "create":
        return reading  # a create's clauses describe the one object it makes
    if _SUPPOSED in reading.reasons:
        return reading  # "if we doubled kafka, how many would it have": one supposition, no write
    # Each clause read alone, once: the first always, the second when a rule asks for it.
    first = analyze(parts[0], vocab)
    read_second: list[Understanding] = []

    def second_clause() -> Understanding:
        if not read_second:
            read_second.append(analyze(parts[1], vocab))
        return read_second[0]

    if _FULL_STOP_RE.match(query[len(parts[0]) :]) and not _asks(parts[0], first):
        # "Search results are empty on X. The search pods look Running, what's wrong?": sentences
        # of context before the ask are read with it, as one request.
        return reading
    chained = _on_nodes_found(parts[1], vocab, first)
    if chained is not None:
        return _each_clause(reading, first, chained)
    reading = _own_relations(reading, first, second_clause)
    if reading.also:
        # The whole sentence found its asks by "and"; a second clause naming its own
        # namespace ("pods in boutique, then services in default") or reading an object of its
        # own is read as written.
        second_alone = second_clause()
        if reading.name_mention is not None and _own_objects(first, second_alone):
            return _each_clause(reading, first, second_alone)
        if _aside(parts[0], first, second_alone):
            reason = "the first clause asks nothing of a cached object"
            return replace(second_alone, reasons=(*second_alone.reasons, reason))
        if (
            reading.intent != "action"
            and first.intent == "query"
            and first.kind_stated
            and (first.operation, first.resource) != (reading.operation, reading.resource)
            and any((a.operation, a.resource) == (first.operation, first.resource) for a in reading.also)
        ):
            # "pull the events in records, and tell me why fhir-api never goes ready": the first
            # ask is the main one; the sentence's other ask follows it.
            return _each_clause(reading, first, second_alone)
        if not (
            second_alone.namespace_mention and second_alone.kind_stated and second_alone.name_mention is None
        ):
            return reading
        split = _clause_asks(query, vocab, replace(reading, also=()))
        return split if split.also else reading
    second_text = parts[1]
    if first.name_mention and (back := _definite_reference(second_text, first)) is not None:
        # "news-worker-3 …, what does the node itself report", "… what instance type is that
        # box": a definite noun of the first clause's object's kind is that object.
        second_text = back
    if first.name_mention and _PRONOUN_RE.search(second_text.lower()):
        # "it" stands for the first clause's object, with its kind when the user stated one
        # ("the loadgenerator pod …, just kill it": the pod).
        name, kind = first.name_mention, first.resource
        stated = first.kind_stated and not first.relations and kind != "cluster"

        def ref(m: re.Match[str]) -> str:
            if m.group(0) == "它的":
                return f" {name} 的 "  # "它的 pvc": the possessive stays, the PVC is grafana's
            possessive = m.group(0) in ("its", "their")
            return f" {kind} {name} " if stated and not possessive else f" {name} "

        def owned(m: re.Match[str]) -> str:
            # "is its pvc bound": the PVC of the first clause's object, not one named by it.
            return f"the {m.group(2)} of {name}"

        second_text = _OWNED_KIND_RE.sub(
            lambda m: owned(m) if kinds.kind_of_word(m.group(2)) not in (None, kind) else m.group(0),
            second_text.lower(),
        )
        second_text = _PRONOUN_RE.sub(ref, second_text)
    elif first.name_mention and _PLACE_OPENING_RE.match(second_text):
        second_text = f"{first.name_mention} {_PLACE_OPENING_RE.sub('', second_text, count=1)}"
    elif first.name_mention and _asks_of_nothing(second_clause(), first):
        # "worker 的镜像是什么？日志也顺便看下", "…, why": an operation asked of no object is
        # asked of the first clause's, as "its logs" would be.
        second_text = f"{second_text} {first.name_mention}"
    second = analyze(second_text, vocab)
    said_of_it = (
        first.name_mention is not None
        and not _asks(parts[0], first)
        and first.name_mention in (second.name_mention, *second.name_mentions)
    )
    if _aside(parts[0], first, second) or (
        said_of_it
        and (
            (
                _by_default(first)
                and not _by_default(second)
                and first.intent == "query"
                and second.intent in ("query", "analysis")
                and not first.kind_stated
            )
            or (second.intent == "action" and first.intent != "action")
        )
    ):
        # "news-worker-3 磁盘快满了，上面跑着哪些 pod？", "grafana is acting up, restart it": a
        # first clause that states, asking nothing, is the context of the ask that follows.
        reason = f"the first clause asks nothing: {second.operation} {second.resource} is the ask"
        if second.namespace is None and first.namespace is not None:
            second = replace(second, namespace=first.namespace, namespace_mention=first.namespace_mention)
        return replace(second, reasons=(*second.reasons, reason))
    ellipsis = _ELLIPSIS_RE.match(second_text.lower())
    other_place = ellipsis.group("name") if ellipsis else None
    if (
        other_place
        and first.namespace_mention
        and other_place != first.namespace_mention
        and other_place in {n.lower() for n in vocab.namespaces}
    ):
        # "team-7 的 api 用的什么镜像？那 team-07 的呢": the first question, in the other namespace.
        head = parts[0].lower()
        at = head.find(first.namespace_mention.lower())
        if at >= 0:
            second = analyze(head[:at] + other_place + head[at + len(first.namespace_mention) :], vocab)
            reason = f"second clause: the same ask in namespace {other_place}"
            return replace(first, also=(replace(second, also=()),), reasons=(*first.reasons, reason))
    if ellipsis and first.name_mention and ellipsis.group("name") != first.name_mention:
        # "postgres 用的什么镜像？kafka 呢": the first clause's question, of the other name.
        head = parts[0].lower()
        at = head.find(first.name_mention)
        if at >= 0:
            second = analyze(head[:at] + ellipsis.group("name") + head[at + len(first.name_mention) :], vocab)
    if (
        _by_default(second)
        and second.resource == "namespace"
        and second.namespace is not None
        and second.name_mention in (None, second.namespace)
        and first.namespace in (None, second.namespace)
    ):
        # "列出 …的 pod，data 命名空间", "list the pods, namespace data": a clause that only
        # names a namespace is where the first clause's ask is, no ask of its own.
        return replace(reading, also=())
    if (
        second.resource == "namespace"
        and second.name_mention is None
        and second.namespace is None
        and first.resource != "namespace"
        and _EVERY_RE.search(parts[1].lower())
        and not second.predicates
    ):
        # "…？所有 namespace 都算", "…, across all namespaces": the first ask's scope is every
        # namespace, no listing of namespaces.
        # The whole sentence took the namespaces for the kind asked: the first clause's ask it is.
        base = first if reading.resource == "namespace" else reading
        main = replace(base, also=(), namespace=None, namespace_mention=None)
        return replace(
            main, all_namespaces=True, reasons=(*main.reasons, "every namespace, as the clause after says")
        )
    if first.intent == "action" and _by_default(second) and first.name_mention:
        # "scale web to 3 and api to 5", "restart web, then cache": a clause with no verb of
        # its own takes the first clause's ("api to 5" is scaled too).
        head = parts[0].lower()
        at = head.find(first.name_mention)
        if at > 0:
            second = analyze(head[:at] + second_text, vocab)
    if (
        not (second.name_mention or second.kind_stated)
        and first.kind_stated
        and (second.predicates or _WHICH_OF_THEM_RE.search(second_text.lower()))
    ):
        # "节点有几个？哪个是 NotReady", "list the deployments and tell me which one is
        # crashlooping": a state asked of no kind is asked of the first clause's.
        second = analyze(f"{first.resource} {second_text}", vocab)
        if second.namespace is None and first.namespace is not None:
            second = replace(second, namespace=first.namespace, namespace_mention=first.namespace_mention)
    # "what's in the ingest namespace, and …": a clause asking what a namespace holds asks too.
    asks = [
        a for a in (first, second) if a.name_mention or a.kind_stated or a is first and a.namespace_mention
    ]
    if len(asks) != 2:
        return reading
    if _own_objects(first, second):
        # "loki 的端口是多少？另外 collector 几个副本": each clause reads an object of its own;
        # the whole sentence's mix of both (the one's fields asked of the other) is neither.
        return _each_clause(reading, first, second)
    if first.operation == second.operation:
        if (
            first.operation == "diagnose"
            and first.name_mention is not None
            and second.name_mention is None
            and reading.name_mention == first.name_mention
            and reading.resource != first.resource
        ):
            # "shop-pool-c1 是不是挂了？为什么上面调度不了新 pod": the second clause asks more
            # of the first's object, which stays what is diagnosed.
            reason = f"the first clause's {first.resource} {first.name_mention} is diagnosed"
            return replace(first, namespace=first.namespace or reading.namespace,
                           namespace_mention=first.namespace_mention or reading.namespace_mention,
                           reasons=(*first.reasons, reason))  # fmt: skip
        if (
            first.intent == "query"  # a diagnosis's conditions are its symptoms, one ask
            and second.resource == first.resource
            and (second.predicates or second.node_state)
            and not (first.predicates or first.node_state)
            and (reading.predicates or reading.node_state)
        ):
            # The whole sentence narrowed the first ask by the second's condition: each as asked.
            reason = f"second clause: {second.operation} {second.resource} with its condition"
            main = replace(first, also=(), namespace=first.namespace or reading.namespace)
            return replace(main, also=(replace(second, also=()),), reasons=(*main.reasons, reason))
        if first.intent != "action" and ellipsis and second.name_mention not in (None, first.name_mention):
            reason = f"second clause: {second.operation} {second.name_mention}"
            return replace(reading, also=(replace(second, also=()),), reasons=(*reading.reasons, reason))
        if first.intent == "action" and second.name_mention not in (None, first.name_mention):
            # "scale web to 3 and api to 5": a second write is never dropped; it is named, so
            # the answer says it was not done (each write is approved on its own).
            reason = f"second clause: {second.operation} {second.name_mention}"
            return replace(reading, also=(replace(second, also=()),), reasons=(*reading.reasons, reason))
        # "先看 test 的 pod 再看 pvc", "the grafana ingress host and the grafana service
        # ports": a read of another kind stated is another ask, in the first clause's
        # namespace unless it names its own.
        if second.operation in ("list", "get") and second.kind_stated and second.resource != first.resource:
            if reading.resource != first.resource or second.name_mention is not None:
                # The whole sentence mixed both clauses' kinds or fields: each clause as read.
                reading = replace(
                    first,
                    namespace=first.namespace or reading.namespace,
                    namespace_mention=first.namespace_mention or reading.namespace_mention,
                )
            added = (
                second
                if second.namespace_mention
                else replace(second, namespace=reading.namespace, namespace_mention=reading.namespace_mention)
            )
            reason = f"second clause: {added.operation} {added.resource}"
            return replace(reading, also=(replace(added, also=()),), reasons=(*reading.reasons, reason))
        if second.relations and not first.relations and not reading.relations and first.intent != "action":
            # "what's in ingest, and is webhook-receiver backed by any pod": the same kind, narrowed
            # by an object only the second clause names, is an ask of its own.
            return _each_clause(reading, first, second)
        return reading
    other = next((a for a in asks if a.operation != reading.operation), None)
    if other is None:
        return reading
    # The first clause is the first ask when the whole sentence mixed the clauses' cues
    # ("restart X, then list its pods", "show the web service and its pods", "why is X
    # failing, and show its logs"). A write asked first stays the main ask (it goes through
    # approval; a write asked after a read is named, not done), and so does a diagnosis of
    # nothing named (a further ask diagnoses a named object only).
    whole_is_main = (reading.intent == "action" and first.intent == "action") or (
        first.operation in ("list", "get")
        and reading.operation == "diagnose"
        and second.name_mention is None
        and second.namespace is None
    )
    mixed = (reading.operation, reading.resource) != (first.operation, first.resource)
    if all(a.operation != reading.operation for a in asks) or (mixed and not whole_is_main):
        if first.namespace is None and reading.namespace is not None:
            first = replace(first, namespace=reading.namespace, namespace_mention=reading.namespace_mention)
        reading, other = first, second
    if (
        other.namespace is None
        and reading.namespace is not None
        and other.name_mention in (None, reading.name_mention)  # "... and why is it failing"
    ):
        other = replace(other, namespace=reading.namespace, namespace_mention=reading.namespace_mention)
    reason = f"second clause: {other.operation} {other.resource}"
    return replace(reading, also=(replace(other, also=()),), reasons=(*reading.reasons, reason))


#: A definite noun phrase in English: "the node itself", "that box", "this deployment".
_DEFINITE_EN_RE = re.compile(r"\b(?:the|that|this)\s+(?P<w>[a-z]+)(?:\s+itself)?\b")
#: Everyday words for a node.
_MACHINE_WORDS = ("box", "machine", "server", "host")
_NODE_NOUNS = frozenset({*_MACHINE_WORDS, "vm"})


def _asks_of_nothing(second: Understanding, first: Understanding) -> bool:
    """Whether a clause asks an operation of its own and names no object or kind for it."""
    return (
        not (second.name_mention or second.kind_stated or second.namespace_mention)
        and not _by_default(second)
        and second.operation != first.operation
    )


def _own_relations(
    reading: Understanding, first: Understanding, second_clause: Callable[[], Understanding]
) -> Understanding:
    """The sentence's reading without the relations only the second clause's names make.

    "show pods in cms, and what's SITE_NAME in cms-settings", "what's in ingest, and is
    webhook-receiver backed by any pod": an object the second clause names filters nothing
    the first one asks.
    """
    if not reading.relations and reading.name_mention is None:
        return reading
    second = second_clause()
    borrowed = [r for r in reading.relations if r not in first.relations and r.name in second.name_mentions]
    # "k get deploy -n imaging; also which node is orthanc-0 on": the name is the second's.
    named_after = (
        reading.name_mention is not None
        and first.name_mention is None
        and reading.name_mention == second.name_mention
        and first.kind_stated
        and reading.resource == first.resource
    )
    if not (borrowed or named_after) or first.name_mention in second.name_mentions:
        return reading
    return replace(
        first,
        also=reading.also,
        namespace=first.namespace or reading.namespace,
        namespace_mention=first.namespace_mention or reading.namespace_mention,
    )


def _on_nodes_found(text: str, vocab: Vocabulary, first: Understanding) -> Understanding | None:
    """The second clause's reading when the first finds nodes by their state and it asks what runs "on it".

    "which node is NotReady and what's still running on it", "哪个节点被 cordon 了，上面还跑着
    哪些 pod": the nodes the first clause finds are where the second one looks.
    """
    state = _state_of_nodes_found(first)
    if state is None or not (_PRONOUN_RE.search(text.lower()) or _PLACE_OPENING_RE.match(text)):
        return None
    if _PLACE_OPENING_RE.match(text):
        text = f"{state.lower()} 节点{text.strip()}"
    else:
        text = _PRONOUN_RE.sub(f" the {state.lower()} nodes ", text.lower())
    second = analyze(text, vocab)
    return second if second.resource == "pod" and second.node_state == state else None


def _state_of_nodes_found(first: Understanding) -> str | None:
    """The state a clause finds nodes by ("which node is NotReady"), when it names none."""
    if first.resource != "node" or first.name_mention is not None:
        return None
    if first.node_state is not None:
        return first.node_state
    if Predicate(field="ready", op="==", value=False) in first.predicates:
        return "NotReady"
    return None


def _definite_reference(text: str, first: Understanding) -> str | None:
    """The clause with "the <kind>" / "that <kind>" spelt as the first clause's named object."""
    kind = first.name_kind or first.resource
    name = first.name_mention
    low = text.lower()
    for m in _DEFINITE_EN_RE.finditer(low):
        word = m.group("w")
        if (kinds.kind_of_word(word) == kind and not word.endswith("s")) or (
            kind == "node" and word in _NODE_NOUNS
        ):
            # A node's name says its kind ("what runs on that node": on news-worker-3).
            said = name if kind == "node" else f"{kind} {name}"
            return f"{low[: m.start()]}{said}{low[m.end() :]}"
    return None


def _aside(text: str, first: Understanding, second: Understanding) -> bool:
    """A first clause that asks nothing and names no cached object, before one that asks of one.

    "准备做个 backup，先把 coredns 的 configmap 贴出来": the first clause says why, the second asks.
    """
    return (
        not _QUESTION_RE.search(text.lower())
        and first.name_mention is not None
        and first.name_kind is None
        and _by_default(first)
        and second.name_kind is not None
    )


def _own_objects(first: Understanding, second: Understanding) -> bool:
    """Two read clauses (a diagnosis is one), each about a named object of its own (the second's known to the cache)."""
    return (
        first.intent != "action"
        and second.intent != "action"
        and first.name_mention is not None
        and second.name_kind is not None
        and second.name_mention != first.name_mention
        and first.name_mention not in second.name_mentions
        and second.name_mention not in first.name_mentions
    )


_FULL_STOP_RE = re.compile(r"\.\s")


def _asks(text: str, reading: Understanding) -> bool:
    """Whether a clause asks something itself: a question, or an operation it states."""
    if _QUESTION_RE.search(text.lower()):
        return True
    symptom_only = reading.operation == "diagnose" and not _ASKS_CHECK_RE.search(text.lower())
    return not (_by_default(reading) or symptom_only)


def _clauses(query: str) -> list[str]:
    """The sentence cut at its first clause boundary outside brackets ("app in (a, b)" is one)."""
    for m in _CLAUSE_RE.finditer(query):
        if m.end() == m.start():
            continue
        head = query[: m.start()]
        if (
            head.count("(") > head.count(")")
            or head.count("[") > head.count("]")
            or head.count("{") > head.count("}")
        ):
            continue
        return [p for p in (head, query[m.end() :]) if p.strip()]
    return [query]


def _each_clause(reading: Understanding, first: Understanding, second: Understanding) -> Understanding:
    """The first clause as the main ask and the second as a further one, each as read alone.

    A clause naming no namespace is read in the one the sentence names.
    """

    def scoped(ask: Understanding) -> Understanding:
        if ask.namespace_mention is not None or reading.namespace is None:
            return replace(ask, also=())
        return replace(ask, also=(), namespace=reading.namespace, namespace_mention=reading.namespace_mention)

    added = scoped(second)
    reason = f"second clause: {added.operation} {added.resource} {added.name_mention}"
    main = scoped(first)
    return replace(main, also=(added,), reasons=(*main.reasons, reason))


def _by_default(reading: Understanding) -> bool:
    """The reading's operation was no word of the request but the default."""
    return any(
        reason.startswith("operation ") and reason.endswith("by default") for reason in reading.reasons
    )


def scale_target(current: int | None, factor: float | None, delta: int | None) -> int | None:
    """The replica count a relative scale asks for, from the cached count.

    The count times ``factor`` (halves round up: 3 × 1.5 → 5), plus ``delta``, never below
    zero; None when the current count or the change is unknown.
    """
    if current is None or (factor is None and delta is None):
        return None
    value = current if factor is None else math.floor(current * factor + 0.5)
    return max(0, value + (delta or 0))


def explain(query: str, vocab: Vocabulary) -> list[tuple[str, tuple[str, ...]]]:
    """Each phase of :func:`analyze` by name, with the reasons it added: which evidence decided what."""
    r = _Reading(query=query, matcher=build_matcher(vocab))
    steps = []
    for phase in _PHASES:
        seen = len(r.reasons)
        phase(r)
        steps.append((phase.__name__.lstrip("_"), tuple(r.reasons[seen:])))
    seen = len(r.reasons)
    _compose(r)
    steps.append(("compose", tuple(r.reasons[seen:])))
    return steps


#: Written shorthands of English prepositions ("what's up w/ X", "pods w/o restarts").
_SHORTHANDS = {"w/": "with ", "w/o": "without ", "b/c": "because "}
_SHORTHAND_RE = re.compile(r"(?<![\w/])(?:w/o|w/|b/c)(?![\w/])|(?<![\w/])w/(?=\w)", re.IGNORECASE)


@functools.cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional Chinese characters and phrases in Simplified script; ASCII is untouched."""
    converted: str = _t2s().convert(text)
    return converted


def _normalize(r: _Reading) -> None:
    """NFKC (full-width forms), multi-word kind and operation names folded, language."""
    source = unicodedata.normalize("NFKC", r.query).strip().replace("\u2019", "'")
    if _CJK_RE.search(source):
        source = _simplified(source)  # 重啟 is 重启, 刪掉 is 删掉: one script is read
    source = _SHORTHAND_RE.sub(lambda m: _SHORTHANDS[m.group(0).lower()], source)
    for pattern, repl in _KIND_PHRASES_EN:
        source = pattern.sub(repl, source)
    source = _THEN_RE.sub(lambda m: m.group(1) + ("THAN" if m.group(2).isupper() else "than"), source)
    r.text = _WORD_RE.sub(lambda m: _typo_of_cue(m.group(0), r.matcher), source)
    r.text = _HYPHENED_RE.sub(lambda m: _unhyphened(m.group(0), r.matcher), r.text)
    r.language = "zh" if _CJK_RE.search(r.query) else "en"


_WORD_RE = re.compile(r"(?<![\w.-])[A-Za-z]{4,}(?![\w.-])")
#: Operation words a typo is read as ("logz", "restrat", "descirbe"): the verbs that decide a
#: request, long enough that one slip leaves them recognisable.
_TYPO_CUES = ("logs", "delete", "restart", "describe", "events", "scale", "rollback", "cordon")


#: "more then 5", "fewer then": after a comparative, "then" is the slip of "than".
_THEN_RE = re.compile(
    r"\b((?:more|less|fewer|greater|higher|lower|bigger|smaller|older|newer|longer)\s+)(then)\b",
    re.IGNORECASE,
)


@functools.cache
def _lexicon_by_dropped_letter() -> dict[str, str]:
    """Each long lexicon word with one letter left out → the word ("evry" → "every").

    A variant that two words share stands for neither, and a variant that is a word of
    the lexicon itself is that word. The last letter is never the one left out: the word
    without it is most often a word of its own ("scheduled", "schedule").
    """
    found: dict[str, str | None] = {}
    for word in _LEXICON_EN:
        if len(word) < 5 or not word.isalpha():
            continue
        for i in range(len(word) - 1):
            variant = word[:i] + word[i + 1 :]
            if variant in _LEXICON_EN:
                continue
            found[variant] = word if found.get(variant, word) == word else None
    return {k: v for k, v in found.items() if v is not None}


_HYPHENED_RE = re.compile(r"(?<![\w.-])[A-Za-z]+(?:-[A-Za-z]+)+(?![\w.-])")


def _unhyphened(word: str, matcher: Matcher) -> str:
    """Words of the lexicon joined by hyphens, the first a kind word, as words ("secret-key").

    A cached name is itself ("kube-proxy"); so is any word with a part the lexicon lacks.
    """
    low = word.lower()
    parts = low.split("-")
    if low in matcher.kinds_by_name or low in matcher.namespaces or parts[0] not in _KIND_ALIASES_EN:
        return word
    return word.replace("-", " ") if all(p in _LEXICON_EN for p in parts) else word


def _typo_of_cue(word: str, matcher: Matcher) -> str:
    """The lexicon word a word is one slip away from, else the word.

    An operation word with a letter changed or two swapped ("logz", "restrat"), or any
    long word of the lexicon with one letter left out ("evry pod", "namspace"). A word the
    cache or the lexicon knows is itself.
    """
    low = word.lower()
    if low in _LEXICON_EN or low in matcher.kinds_by_name or low in matcher.namespaces:
        return word
    if (dropped := _lexicon_by_dropped_letter().get(low)) is not None:
        return dropped
    for cue in _TYPO_CUES:
        if len(cue) != len(low) or cue == low:
            continue
        diff = [i for i, (a, b) in enumerate(zip(cue, low, strict=True)) if a != b]
        swapped = (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and low[diff[0]] == cue[diff[1]]
            and low[diff[1]] == cue[diff[0]]
        )
        if len(diff) == 1 or swapped:
            return cue
    return word


def _structured_references(r: _Reading) -> None:
    """``{"type": "pod", "name": "x"}``, ``pod/x``, ``ns/x`` and quoted names: strong evidence."""
    for match in list(_JSON_REF_RE.finditer(r.text)):
        try:
            ref = json.loads(match.group(0))
        except ValueError:
            continue
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
            continue
        kind = kinds.kind_of_word(str(ref.get("type") or ref.get("kind") or ""))
        if kind == "namespace":
            r.extracted.namespace = ref["name"]
        else:
            r.extracted.name, r.ref_kind = ref["name"].lower(), kind
        if isinstance(ref.get("namespace"), str):
            r.extracted.namespace = ref["namespace"]
        r.reasons.append(f"structured reference {match.group(0)}")
        r.blank(match.start(), match.end())
    for match in list(_SLASH_REF_RE.finditer(r.text)):
        kind = kinds.kind_of_word(match.group(1))
        if kind is None:
            continue
        if kind == "namespace":
            r.extracted.namespace = match.group(2)
        elif r.extracted.name is None:
            r.extracted.name, r.ref_kind = match.group(2).lower(), kind
        r.reasons.append(f"reference {match.group(0)}")
        r.blank(match.start(), match.end())
    r.quoted = [m.span(1) for m in _QUOTED_RE.finditer(r.text)]


#: Prometheus alert labels pasted in a request ("alertname=KubePodCrashLooping namespace=…").
_ALERT_LABELS_RE = re.compile(r"\balertname\s*=", re.IGNORECASE)
#: A shell pipe into grep after a kubectl command: "| grep -v Running", "| grep ERROR".
_PIPE_GREP_RE = re.compile(r"\|\s*e?grep\s+(?P<flags>(?:-[a-zA-Z]+\s+)*)(?P<q>\"[^\"]+\"|'[^']+'|[^\s|]+)")


def _piped_grep(r: _Reading) -> None:
    """A grep of a listing's state is a condition on the objects; of other words, a line filter."""
    for match in list(_PIPE_GREP_RE.finditer(r.text)):
        word = match.group("q").strip("'\"")
        negated = "v" in match.group("flags")
        if word.lower() in _STATUS_WORDS:
            op: Literal["==", "!="] = "!=" if negated else "=="
            r.predicates.append(Predicate(field="status", op=op, value=_STATUS_WORDS[word.lower()]))
            r.reasons.append(f"grep {match.group(0)!r}: status {op} {_STATUS_WORDS[word.lower()]}")
        elif not negated:
            r.grep = word
            r.reasons.append(f"line filter {word!r} (grep)")
        else:
            r.grep_out = word
            r.reasons.append(f"line filter: not {word!r} (grep -v)")
        r.blank(match.start(), match.end())


#: A chat handle ("@kcache", "@oncall-sre"): who the message is addressed to, never an object.
_HANDLE_RE = re.compile(r"(?<![\w.@])@[a-z0-9][\w.-]*", re.IGNORECASE)


#: A time's possessive and the event it dates: "this morning's deploy", "yesterday's release",
#: "last night's rollout". The event is a when, neither a kind nor a name.
_DATED_EVENT_RE = re.compile(
    r"\b(?:(?:this|last|yesterday|friday|monday|tuesday|wednesday|thursday|saturday|sunday)\s+)?"
    r"(?:morning|afternoon|evening|night|week|weekend|month|today|tonight|yesterday|monday|tuesday"
    r"|wednesday|thursday|friday|saturday|sunday)[’']s\s+[a-z-]+",
    re.IGNORECASE,
)


def _flags_and_selectors(r: _Reading) -> None:
    """kubectl-style flags and label selectors, keeping the value's case."""
    for dated in list(_DATED_EVENT_RE.finditer(r.text)):
        r.blank(dated.start(), dated.end())
        r.reasons.append(f"{dated.group(0)!r} says when, it names nothing")
    for handle in list(_HANDLE_RE.finditer(r.text)):
        r.blank(handle.start(), handle.end())
        r.reasons.append(f"{handle.group(0)!r} addresses someone, it names nothing")
    _piped_grep(r)
    field_name = None
    for match in list(_FIELD_SELECTOR_RE.finditer(r.text)):
        for requirement in match.group(1).split(","):
            key, _, value = requirement.partition("=")
            if key == "status.phase" and value:
                r.predicates.append(Predicate(field="status", op="==", value=value))
            elif key == "spec.nodeName" and value:
                r.relations.append(Relation(kind="node", name=value.lower(), relation="on_node"))
            elif key == "metadata.name" and value:
                field_name = value.lower()
        r.reasons.append(f"field selector {match.group(1)!r}")
        r.blank(match.start(), match.end())
    found = _extract_flags_and_selectors(r.text)
    if field_name is not None:
        found.name = field_name
    ref_name = r.extracted.name
    ref_ns = r.extracted.namespace
    r.extracted = found
    if ref_name is not None:
        found.name = ref_name
    if ref_ns is not None and found.namespace is None:
        found.namespace = ref_ns
    r.text = found.text
    if found.namespace is not None and ref_ns is None:
        r.reasons.append(f"namespace {found.namespace!r} given as a flag or key")
    if _ALERT_LABELS_RE.search(r.query):
        # An alert's labels describe the alert, they select nothing; a container they name is
        # its pod's ("container=invoicer": the invoicer pod).
        found.selector = []
        if found.name is None and found.container:
            found.name = found.container
            r.reasons.append(f"container {found.container!r} of an alert names its pod")
    if found.name_kind is not None and ref_name is None:
        r.ref_kind = found.name_kind
        r.reasons.append(f"{found.name_kind} {found.name!r} given as a key")
    sort_flag = _SORT_FLAG_RE.search(r.text)
    if sort_flag:
        path = sort_flag.group(1).lower()
        r.sort_by = "restarts" if "restart" in path else "name" if path.endswith(".name") else "age"
        r.reasons.append(f"sorted by {sort_flag.group(1)!r}")
        r.blank(sort_flag.start(), sort_flag.end())


def _command(r: _Reading) -> None:
    """A command to run in a container, before flags: ``-c`` in ``psql -c ...`` is the command's.

    After ``--`` or in back-quotes it is whatever is written. Otherwise its first word is a
    program, not a word of the sentence: never a function word, a kind or a cached name; a
    word of the request language ("ls", "top") only with arguments shaped like a command's
    (a path, a flag), run in a named object ("run ls in frontend"), or after 执行/运行 (a
    command is never written in Chinese). In a request to enter a container, the clause
    after "and" is the command by the same rule.
    """
    low = r.text.lower()
    if not _COMMAND_GATE.search(low):
        return
    patterns = list(_COMMAND_RES)
    if _ENTER_RE.search(low) or re.search(r"\bexec\b", low):
        patterns.append(_EXEC_AND_RE)
    for pattern in patterns:
        found = pattern.search(r.text)
        if found is None:
            continue
        raw = found.group("cmd").strip()
        try:
            argv = shlex.split(raw)
        except ValueError:  # an unclosed quote: the words as typed
            argv = raw.split()
        if pattern is _COMMAND_RES[0] and not _RUN_BEFORE_RE.search(low[: found.start("cmd")]):
            continue  # "alertmanager hasn't come up -- why?": a dash, not kubectl exec's separator
        explicit = pattern is _COMMAND_RES[0] or pattern is _COMMAND_RES[1]
        if not argv or (not explicit and not _is_program(r, argv, found, zh=pattern is _COMMAND_RES[4])):
            continue
        r.command = tuple(argv)
        r.reasons.append(f"command {raw!r}")
        start = found.start("cmd")
        if pattern is _COMMAND_RES[1]:
            start -= 1  # the back-quotes too, so the command is not read as a quoted name
        r.blank(start, found.end("cmd") + (1 if pattern is _COMMAND_RES[1] else 0))
        return


def _is_program(r: _Reading, argv: list[str], found: re.Match[str], *, zh: bool) -> bool:
    head = argv[0].lower().strip("'\"")
    if (
        head in _EN_STOP
        or kinds.kind_of_word(head)
        or head in r.matcher.kinds_by_name
        or head in r.matcher.namespaces
    ):
        return False
    target = found.groupdict().get("target")
    if target is not None and target.lower() in r.matcher.namespaces:
        return False  # "pods that run nginx in boutique": a namespace, not a container
    if head not in _LEXICON_EN or zh:
        return True
    shaped_args = any(a.startswith(("/", "-", "./", "~")) for a in argv[1:])
    return shaped_args or (target is not None and target.lower() in r.matcher.kinds_by_name)


def _windows_and_line_filters(r: _Reading) -> None:
    """Time windows, ages and log line filters: numbers and words that are neither names nor counts."""
    flag = _SINCE_FLAG_RE.search(r.text)
    if flag:
        r.since_seconds = int(flag.group(1)) * _UNIT_SECONDS[flag.group(2)]
        r.blank(flag.start(), flag.end())
    low = r.text.lower()
    for match in _FREQUENCY_RE.finditer(low):
        # "dies every few minutes", "每隔几分钟就挂": how often, not which objects.
        r.blank(match.start(), match.end())
    low = r.text.lower()
    # Cheap gates first: most requests carry no window, age or command at all.
    for pattern, op in _AGE_RES if _AGE_GATE.search(low) else ():
        for match in pattern.finditer(low):
            seconds = _seconds(match)
            if seconds is not None:
                r.predicates.append(Predicate(field="age_s", op=op, value=seconds))  # type: ignore[arg-type]
                r.reasons.append(f"age filter {match.group(0).strip()!r}")
                r.blank(match.start(), match.end())
    low = r.text.lower()
    for pattern in _WINDOW_RES if _WINDOW_GATE.search(low) else ():
        for match in pattern.finditer(low):
            seconds = _seconds(match)
            if seconds is None:
                continue
            if _CREATED_RE.search(low[max(0, match.start() - 20) : match.start()]):
                r.predicates.append(Predicate(field="age_s", op="<", value=seconds))
            elif r.since_seconds is None:
                r.since_seconds = seconds
            r.reasons.append(f"time window {match.group(0).strip()!r}")
            r.blank(match.start(), match.end())
    if _LOG_WORD_RE.search(r.text.lower()):
        for grep_pattern in _GREP_RES:
            found = grep_pattern.search(r.text)
            if found is None:
                continue
            value = found.group("q")
            quoted = value[0] in "\"'`“「"
            text = value[1:-1] if quoted else value
            # "with" and "有" introduce a filter only for a quoted or upper-case word
            # ("with 'timeout'", "有 ERROR"); "logs with timestamps" is no filter.
            loose = found.group(0).lower().startswith(("with", "有"))
            if loose and not (quoted or (text.isupper() and len(text) > 1)):
                continue
            if not quoted and text.lower() in _LEXICON_EN and not text.isupper():
                continue
            r.grep = text
            r.reasons.append(f"line filter {text!r}")
            r.blank(found.start("q"), found.end("q"))
            break
    # Any other kubectl flag (-f, -w, --force, --grace-period=0) names nothing.
    for match in list(_OTHER_FLAG_RE.finditer(r.text)):
        r.blank(match.start(), match.end())
    r.low = r.text.lower()
    # Lowercasing can change length for a few non-ASCII letters; mentions then use low.
    r.same_length = len(r.low) == len(r.text)


def _node_state_words(n: int) -> str:
    return (
        rf"(?P<s{n}>not[\s-]*ready|notready|unready|cordoned|unschedulable|schedulingdisabled"
        rf"|(?:under|with|having)\s+(?:disk|memory|pid)\s*pressure|(?:disk|memory|pid)pressure"
        rf"|(?:low\s+on|running\s+out\s+of|out\s+of)\s+(?:disk|memory)|(?:disk|memory)\s+(?:is\s+)?(?:almost\s+|nearly\s+)?full)"
    )


_ZH_NODE_STATES = (
    r"notready|schedulingdisabled|diskpressure|memorypressure|pidpressure|未就绪|没就绪|不可调度"
    r"|被\s*cordon(?:\s*[了掉])*|cordon\s*[了掉]*|磁盘压力|内存压力|磁盘快?(?:要)?满了?|内存快?(?:要)?满了?"
)
#: A node, or an everyday word for one, singular or plural.
_NODE_WORDS = r"(?:nodes?|box(?:es)?|machines?|servers?|hosts?)"
#: "那台", "这个", "那几台": a demonstrative and a classifier before a Chinese noun.
_ZH_THAT = r"(?:[那这哪](?:一|几)?[台个些])?"
#: Pods on a node named by its state: "on the node that is not ready", "on NotReady nodes",
#: "on the cordoned node", "在 NotReady 的节点上", "未就绪节点上的 pod".
_ON_NODE_IN_STATE_RE = re.compile(
    rf"\bon\s+(?:the|a|any|those|these)?\s*(?:{_NODE_WORDS}\s+(?:(?:that|which)\s+(?:is|are)\s+)?(?:currently\s+)?"
    rf"{_node_state_words(1)}|{_node_state_words(2)}\s+{_NODE_WORDS}\b)"
    r"|(?:在\s*)?(?P<z>" + _ZH_NODE_STATES + r")"
    r"\s*(?:的|状态的)?\s*" + _ZH_THAT + r"\s*(?:节点|node|机器)\s*上"
)
#: Nodes listed by a state that is no pod filter: "cordoned nodes", "which nodes are under
#: disk pressure", "哪个节点被 cordon 了", "有磁盘压力的节点". (NotReady nodes are read as
#: nodes not ready, the ready condition every kind shares.)
_NODES_IN_STATE_RE = re.compile(
    rf"\b{_node_state_words(3)}\s+nodes?\b"
    rf"|\bnodes?\s+(?:(?:that|which)\s+)?(?:(?:is|are|were|was|got|been|has|have)\s+)*(?:currently\s+)?{_node_state_words(4)}"
    r"|(?:节点|node)\s*(?:被|是|处于|有)?\s*(?P<z2>" + _ZH_NODE_STATES + r")"
    r"|(?P<z3>" + _ZH_NODE_STATES + r")\s*(?:的|状态的)\s*" + _ZH_THAT + r"\s*(?:节点|node|机器)"
)


def _node_state_of(m: re.Match[str]) -> str:
    said = re.sub(r"[\s-]", "", next((g for k, g in m.groupdict().items() if g and k[0] in "sz"), ""))
    for word, state in (("disk", "DiskPressure"), ("磁盘", "DiskPressure"), ("memory", "MemoryPressure"),
                        ("内存", "MemoryPressure"), ("pid", "PIDPressure")):  # fmt: skip
        if word in said:
            return state
    if "cordon" in said or said in ("unschedulable", "schedulingdisabled", "不可调度"):
        return "SchedulingDisabled"
    return "NotReady"


def _node_described_by_state(r: _Reading) -> None:
    """A node named by its state ("pods on the node that is not ready"): the pods on such nodes.

    The state describes the node, not the pods: it becomes no filter of the pods.
    """
    low = r.text.lower()
    if not any(w in low for w in ("node", "节点", *_MACHINE_WORDS)):
        return
    m = _ON_NODE_IN_STATE_RE.search(low)
    if m is not None:
        r.node_state = _node_state_of(m)
        r.reasons.append(f"the pods on the nodes that are {r.node_state}")
        r.blank(m.start(), m.end())
    elif (m := _NODES_IN_STATE_RE.search(low)) is not None and (state := _node_state_of(m)) != "NotReady":
        # The state is said of the nodes themselves ("被 cordon 了" is no request to cordon).
        r.node_state = state
        r.reasons.append(f"the nodes that are {state}")
        said = next(k for k, g in m.groupdict().items() if g and k[0] in "sz")
        r.blank(m.start(said), m.end(said))
    r.low = r.text.lower()


def _tokenize_kinds(r: _Reading) -> None:
    """Tokens, with the kinds they name; ``frontend-pod`` is split into name and kind."""
    for item in _tokenize(r.low):
        if not item.zh and item.kind is None and (word := _misspelt_kind(item.text, r.matcher)):
            item.kind, item.plural = _KIND_ALIASES_EN[word], word in _PLURAL_ALIASES
            r.reasons.append(f"{item.text!r} read as the kind word {word!r}")
        r.items.extend(_split_glued(item, r.matcher) if not item.zh else [item])
    r.items = _join_spaced(r.items, r.low, r.matcher)
    if r.language == "zh" and _EACH_ZH_RE.search(r.low):
        # Chinese nouns have no number: "prometheus 的 pod 分别在哪个节点上" says there are several.
        for item in r.items:
            if item.kind not in (None, "namespace", "cluster"):
                item.plural = True
    for item in r.items:
        if any(s <= item.start < e for s, e in r.quoted):
            item.strong = True
    # "node selector", "pod template": a kind word heading a field's name is no kind asked.
    compound = [m.start() for m in _COMPOUND_FIELD_RE.finditer(r.low)]
    for item in r.items:
        if item.kind is not None and item.start in compound:
            item.role = "field"
    all_ns_spans = [m.span() for m in _ALL_NS_EN.finditer(r.low)]
    for item in r.items:
        if item.zh and item.text in _ALL_NS_ZH:
            item.kind = "namespace"
            all_ns_spans.append((item.start, item.end))
        if item.kind in ("namespace", "cluster") and any(s <= item.start < e for s, e in all_ns_spans):
            item.role = "qualifier"


def _find_container(r: _Reading) -> None:
    """The container, found first so that its name is not mistaken for an object's."""
    r.container = r.extracted.container
    items, matcher = r.items, r.matcher
    for i, item in enumerate(items):
        if item.text not in _CONTAINER_EN and item.text != _CONTAINER_ZH:
            continue
        for near in (_neighbour(items, i, 1), _neighbour(items, i, -1)):
            if r.container is not None or near is None or near.zh or near.role is not None:
                continue
            if r.reserved(near.text) or near.kind is not None or _NUMERIC_RE.fullmatch(near.text):
                continue
            r.container = near.text
            r.reasons.append(f"container {near.text!r} next to 'container'")
            # A container is often named as its workload; a known name stays a mention.
            if near.text not in matcher.kinds_by_name and near.text not in matcher.namespaces:
                near.role = "container"
    for i, item in enumerate(items):
        # "log-shipper logs of ingest-api-6zpt5": an unknown name heading the logs of a known object.
        if r.container is not None or item.text not in _LOGS_EN or i == 0:
            continue
        head, prep = items[i - 1], _neighbour(items, i, 1)
        target = (
            _neighbour(items, i + 1, 1) if prep is not None and prep.text in ("of", "for", "from") else None
        )
        if (
            target is not None
            and target.text in matcher.kinds_by_name
            and not head.zh
            and head.role is None
            and head.kind is None
            and not r.reserved(head.text)
            and head.text not in matcher.kinds_by_name
            and head.text not in matcher.namespaces
            and _name_shaped(head.text)
        ):
            r.container, head.role = head.text, "container"
            r.reasons.append(f"container {head.text!r} heading the logs of {target.text!r}")


def _name_shaped(text: str) -> bool:
    """Looks like a Kubernetes name rather than a word: ``worker-b7``, ``redis-0``, ``app2``."""
    if not _NAME_SHAPE_RE.fullmatch(text):
        return False
    parts = re.split(r"[-.]", text)
    return not all(p in _LEXICON_EN or p.isdigit() for p in parts)


def _is_ns_keyword(item: _Item | None) -> bool:
    return item is not None and item.kind == "namespace" and item.role != "qualifier"


#: Right before a name the user sets aside ("the LoadBalancer one, not api", "而不是 api").
#: A name set aside after it: "kube-system 的不用看", "kube-system 除外", "kube-system aside".
_EXCLUDED_AFTER_RE = re.compile(
    r"\s*(?:的|里的|下的)?\s*(?:不用看|不看|除外|不算|不用管|不要|忽略|就不用了|排除|aside\b|excluded\b)"
)
_EXCLUDED_BEFORE_RE = re.compile(
    r"(?:\bnot|\bexcept(?:\s+for)?|\bexcluding|\boutside(?:\s+of)?|\brather\s+than|\binstead\s+of|\bother\s+than|不是|除了|不包括|排除)"
    r"(?:\s+(?:in|on|from|of|for))?\s*(?:the\s+)?[`'\"]?$"
)


def _excluded_names(r: _Reading) -> None:
    """A known name right after a negation is set aside: never the object asked about, nor an ask."""
    for i, item in enumerate(r.items):
        if item.zh or item.kind is not None or item.role is not None:
            continue
        known = item.text in r.matcher.kinds_by_name or item.text in r.matcher.namespaces
        if known and (
            _EXCLUDED_BEFORE_RE.search(r.low[: item.start]) or _EXCLUDED_AFTER_RE.match(r.low[item.end :])
        ):
            item.role = "excluded"
            r.reasons.append(f"{item.text!r} set aside (after a negation)")
            if item.text in r.matcher.namespaces and item.text not in r.matcher.kinds_by_name:
                # "not in kube-system", "kube-system 的不用看": every namespace but that one.
                r.predicates.append(Predicate(field="namespace", op="!=", value=item.text))
            after = r.items[i + 1] if i + 1 < len(r.items) else None
            if after is not None and after.kind is not None and not r.low[item.end : after.start].strip():
                after.role = "excluded"  # "not the kafka statefulset": its kind word goes with it


#: Chinese words that ask for a listing: the objects asked are a kind, not one named.
_LISTING_ZH_RE = re.compile(r"列出|列一下|列举|有哪些|哪些|有没有|有什么|有啥|清单|所有|全部")


#: Chinese verbs that take an activity as their object: 做/跑/负责/处理/管 X 的 <kind> is
#: the <kind> that does X.
_ZH_ACTIVITY_VERB_RE = re.compile(r"(?:做|跑|负责|处理|管|干|执行)\s*$")


def _object_of_a_verb(r: _Reading, item: _Item) -> bool:
    """In Chinese, a word right after an activity verb and before 的 (做 backup 的定时任务)."""
    return bool(_ZH_ACTIVITY_VERB_RE.search(r.low[: item.start])) and r.low[item.end :].lstrip().startswith(
        "的"
    )


def _plain_word_beside_an_ask(r: _Reading, item: _Item) -> bool:
    """An unknown all-letter word, near no cached name, in a request naming a cached object or a listing."""
    if item.strong or not item.text.isalpha():
        return False
    if is_misspelling(item.text, r.matcher.kinds_by_name) or _misspelt_namespace(r, item.text):
        return False
    named = any(other is not item and other.text in r.matcher.kinds_by_name for other in r.items)
    return named or bool(_LISTING_ZH_RE.search(r.low))


def _find_names(r: _Reading) -> None:
    """Namespaces and object names: a known name always; an unknown word on strong evidence.

    Strong evidence is a quoted or structured name, or a Kubernetes-looking word where a
    name stands: after a kind word, after ``in``/``-n``, next to ``namespace``/命名空间,
    before a singular kind word. An unknown everyday word ("hours", "overview") is never a
    name, so it can never become a false "does not exist".
    """
    items, matcher = r.items, r.matcher
    for i, item in enumerate(items):
        if (
            item.kind not in (None, "namespace", "cluster")
            and item.role is None
            and _kind_word_is_namespace(r, i)
        ):
            # "pods in jobs", "jobs 里的 worker": a cached namespace wins over the kind word it is spelt as.
            item.kind, item.plural = None, False
            _mark(r, item, "ns", f"namespace {item.text!r} known, in a namespace slot (not the kind)")
            continue
        if item.zh or item.kind is not None or item.role is not None:
            continue
        if _NUMERIC_RE.fullmatch(item.text):
            continue
        if r.language == "zh" and not item.strong and _VERB_ASPECT_RE.match(r.low, item.end):
            # "帮我 search 一下": an English verb with the Chinese aspect 一下 is no name.
            item.role = "verb"
            r.reasons.append(f"{item.text!r} is a verb (followed by 一下)")
            continue
        if _is_config_key(r, item):
            item.role = "key"
            r.reasons.append(f"{item.text!r} is a configuration key, not an object")
            continue
        before, after = _neighbour(items, i, -1), _neighbour(items, i, 1)
        prep = before.text if before is not None and not before.zh else ""
        if prep in _NS_PREPOSITIONS and items[i - 1].text in ("a", "an"):
            prep = ""  # "in a bad state": a noun phrase, not a namespace
        shaped = item.strong or _name_shaped(item.text)
        ns_slot = (
            _is_ns_keyword(before)
            or _is_ns_keyword(after)
            or prep in _STRONG_NS_PREPOSITIONS
            or (r.language == "zh" and _zh_namespace_context(r.low, item))
        )
        ns_context = ns_slot or (prep in _NS_PREPOSITIONS and shaped)
        # A kind word next to the token makes it a name ("the cartservice pod",
        # "pod frontend-abc123"), except after a plural ("what cronjobs exist").
        kind_next = next(
            (
                n
                for n in (after, before)
                if n is not None
                and n.kind not in (None, "namespace", "cluster")
                and n.role is None
                and not (n is before and n.plural)
                and not (n is after and n.plural and not shaped)
                # "create a deployment": a kind word after an article heads its own phrase.
                and not (n is after and (i + 1 >= len(items) or items[i + 1] is not n) and not shaped)
                # "the control plane node": two plain words before a kind word describe it.
                and not (n is after and not shaped and i > 0 and _plain_unknown(r, items[i - 1]))
                # "the api deployment won't start": a kind word names the one name beside it.
                and not (n is before and not item.strong and _names_before(r, n))
                # "… on www.shopco.example. The pods …": a sentence's end parts the two.
                and not _SENTENCE_END_RE.search(
                    r.low[item.end : n.start] if n.start >= item.end else r.low[n.end : item.start]
                )
            ),
            None,
        )
        kinds_of = matcher.kinds_by_name.get(item.text, ())
        is_ns = item.text in matcher.namespaces
        if (
            kinds_of
            and not item.strong
            and kind_next is None
            and item.text.isalpha()
            and _INDEFINITE_BEFORE_RE.search(r.low[: item.start])
        ):
            # "a quick report on what's broken", "a quick health check": an indefinite article
            # makes the word a common noun, whatever the cache holds by that name; its meaning
            # (a cue such as health) still counts.
            item.role = "word"
            r.reasons.append(f"{item.text!r} after an indefinite article is a common noun")
            continue
        # In Chinese text a cached name always wins over an English cue word it is spelt as.
        known_in_zh = r.language == "zh" and (
            item.text in matcher.namespaces or item.text in matcher.kinds_by_name
        )
        if r.reserved(item.text) and not item.strong and not known_in_zh:
            # A cached name spelt like a vocabulary word counts only in its slot.
            # "show data pods": a cached namespace right before a plural kind word says where.
            qualifies = (
                i + 1 < len(items)
                and items[i + 1].plural
                and items[i + 1].kind not in (None, "namespace", "cluster")
                and not kinds_of
            )
            if is_ns and (ns_slot or prep in _NS_PREPOSITIONS or qualifies):
                _mark(r, item, "ns", f"namespace {item.text!r} known, in a namespace slot")
            elif (
                kinds_of
                and kind_next is not None
                and (
                    kind_next.kind in kinds_of
                    or (kind_next.kind == "pod" and any(k in _WORKLOAD_KINDS for k in kinds_of))
                )
            ):
                # "the latest deployment" names it; "the latest event" does not (no such event).
                _mark(r, item, "name", f"name {item.text!r} known, next to its kind word")
            elif (
                kinds_of
                and any(k in _WORKLOAD_KINDS for k in kinds_of)
                and i + 1 < len(items)
                and items[i + 1].text.split("'")[0] in _WORKLOAD_NOUNS
            ):
                # "the status app's logs": a generic word for a workload names the one beside it.
                _mark(r, item, "name", f"name {item.text!r} known, before {items[i + 1].text!r}")
            elif kinds_of and _in_object_slot(r, i):
                _mark(r, item, "name", f"name {item.text!r} known, in an object's slot")
            continue
        if is_ns and (
            ns_context or prep in _NS_PREPOSITIONS or not kinds_of or (kind_next is None and not r.ns_items)
        ):
            _mark(r, item, "ns", f"namespace {item.text!r} known")
        elif kinds_of and _modifies_other_kind(item, after, kinds_of):
            # "the worker nodes": a name of another kind before a plural kind word describes them.
            r.reasons.append(
                f"{item.text!r} describes the {after.text if after else ''}, it names none of them"
            )
        elif kinds_of:
            _mark(r, item, "name", f"name {item.text!r} known as {kinds_of[0]}")
        elif not item.strong and item.text in _POD_STATES:
            # "stuck in Init", "in ContainerCreating": a pod's state, not a place or a name.
            item.role = "noun"
            r.reasons.append(f"{item.text!r} is a pod state")
        elif not item.strong and _HOST_RE.match(item.text):
            # "empty on www.shopco.example": a host's DNS name, not an object's.
            r.unknown.append(item.text)
        elif not item.strong and after is not None and after.text in _STATUS_WORDS:
            # "in phase Failed", "in state Pending": the word before a state names the field.
            r.unknown.append(item.text)
        elif ns_context and (
            kind_next is None
            or kind_next is not after
            or (r.language == "zh" and _zh_namespace_context(r.low, item))
        ):
            _mark(r, item, "ns", f"unknown {item.text!r} in a namespace slot")
        elif not item.strong and (full := _namespace_of_segment(r, item.text)) is not None:
            r.ns_alias[item.text] = full
            _mark(r, item, "ns", f"{item.text!r} is a part of namespace {full!r}")
        elif not item.strong and _misspelt_namespace(r, item.text) and not _namespace_given(r, item, prep):
            _mark(r, item, "ns", f"unknown {item.text!r} close to a known namespace")
        elif "-" in item.text and not shaped:
            # "the crash-looping pod": words of the request joined by a hyphen describe, never name.
            r.unknown.append(item.text)
        elif r.language == "zh" and _object_of_a_verb(r, item) and _plain_word_beside_an_ask(r, item):
            # "有没有做 backup 的定时任务": the word a verb takes describes what the object
            # does (a relative clause before 的), it names nothing.
            r.unknown.append(item.text)
        elif kind_next is not None:
            _mark(r, item, "name", f"unknown {item.text!r} next to the kind word {kind_next.text!r}")
        elif item.strong or (shaped and "-" in item.text):
            _mark(r, item, "name", f"unknown {item.text!r} quoted or shaped like a name")
        elif r.language == "zh" and _plain_word_beside_an_ask(r, item):
            # "准备做个 backup，先把 coredns 的 configmap 贴出来", "有没有做 backup 的定时任务": a
            # plain English word, near no cached name, where the request already names its object
            # or asks for a listing, is a word of the sentence.
            r.unknown.append(item.text)
        elif r.language == "zh":
            _mark(r, item, "name", f"unknown {item.text!r}: an ASCII word in Chinese text")
        elif prep in ("named", "called") or (prep in ("for", "of", "about", "is") and shaped):
            _mark(r, item, "name", f"unknown {item.text!r} after {prep!r}")
        else:
            r.unknown.append(item.text)

    # A namespace keyword next to a namespace mention qualifies it ("boutique 命名空间").
    for i, item in enumerate(items):
        if item.kind == "namespace" and item.role is None:
            around = (_neighbour(items, i, -1), _neighbour(items, i, 1))
            if any(n is not None and n.role == "ns" for n in around):
                item.role = "qualifier"


#: An indefinite article, maybe with one adjective, before a word: "a report", "a quick report".
_INDEFINITE_BEFORE_RE = re.compile(r"\b(?:a|an|another)\s+(?:[a-z]+\s+)?$")
#: Generic English words for a workload ("the status app", "the latest workload").
_WORKLOAD_NOUNS = frozenset({"app", "apps", "application", "workload", "component", "microservice"})
#: Words after which the next one is what the request is about: a why-question's subject, an
#: operation's object ("why is health not ready", "restart worker", "logs of status").
_SUBJECT_BEFORE_RE = re.compile(
    r"(?:\bwhy(?:\s+(?:is|are|does|did|do|was|has|can'?t|won'?t|isn'?t))?|\b(?:restart|describe|scale|delete|diagnose"
    r"|troubleshoot|debug|rollback|exec\s+into|logs?\s+(?:of|for|from))|\bis)\s+(?:the\s+)?$"
)
#: What may follow an object named in such a slot (the end, a namespace, a target, a state).
_AFTER_OBJECT = frozenset({"in", "to", "on", "from", "and", "please", "pls", "not", "failing", "down",
                           "crashing", "pending", "ok", "okay", "broken", "up", "unhealthy", "ready",
                           "running", "deployment", "logs", "is", "are", "was", "keeps", "has", "can't",
                           "won't", "doesn't", "isn't", "cannot"})  # fmt: skip


#: Words after which the next one is what is shown, when nothing but where follows it
#: ("show me latest in default", "the status of status in test").
_SHOWN_BEFORE_RE = re.compile(r"(?:\b(?:show|get|describe|display|check)(?:\s+me)?|\bof)\s+(?:the\s+)?$")


def _names_before(r: _Reading, kind_word: _Item) -> bool:
    """Whether the kind word already follows a cached name ("the api deployment")."""
    before = _neighbour(r.items, r.items.index(kind_word), -1)
    return before is not None and before.role == "name" and before.text in r.matcher.kinds_by_name


_VERB_ASPECT_RE = re.compile(r"\s*一下")


def _modifies_other_kind(item: _Item, after: _Item | None, kinds_of: tuple[str, ...]) -> bool:
    """A cached name right before a plural kind word it is no object of ("worker nodes")."""
    if item.strong or after is None or not after.plural or after.kind in (None, "namespace", "cluster"):
        return False
    if after.end - after.start and after.start - item.end > 1:
        return False
    return after.kind not in kinds_of and not (
        after.kind == "pod" and any(k in _WORKLOAD_KINDS for k in kinds_of)
    )


def _kind_word_is_namespace(r: _Reading, index: int) -> bool:
    """Whether a kind word is the cached namespace spelt like it, by where it stands."""
    item = r.items[index]
    if item.zh or item.text not in r.matcher.namespaces:
        return False
    before, after = _neighbour(r.items, index, -1), _neighbour(r.items, index, 1)
    prep = before.text if before is not None and not before.zh else ""
    return (
        prep in _NS_PREPOSITIONS
        or _is_ns_keyword(after)
        or _is_ns_keyword(before)
        or (r.language == "zh" and _zh_namespace_context(r.low, item))
    )


def _is_config_key(r: _Reading, item: _Item) -> bool:
    """A key of configuration, never a Kubernetes name.

    ``LOG_LEVEL`` (no Kubernetes name holds ``_``), or a dotted word beside a cached ConfigMap
    ("num.partitions in kafka-config").
    """
    if item.strong or item.text in r.matcher.kinds_by_name or item.text in r.matcher.namespaces:
        return False
    if "_" in item.text:
        return True
    written = r.text[item.start : item.end]
    # A dotted word ("num.partitions"), or one written in capitals as environment keys are
    # ("CURRENCY"; Kubernetes names are lower-case), beside a cached ConfigMap.
    return ("." in item.text or (len(written) > 1 and written.isupper())) and any(
        "configmap" in r.matcher.kinds_by_name.get(other.text, ()) for other in r.items if other is not item
    )


def _in_object_slot(r: _Reading, index: int) -> bool:
    """Whether a word stands where the request's object does.

    There a cached name spelt like a vocabulary word ("health", "status", "worker") is that name.
    """
    item = r.items[index]
    after = r.items[index + 1] if index + 1 < len(r.items) else None
    if _SHOWN_BEFORE_RE.search(r.low[: item.start]):
        return (
            after is None
            or after.text in ("in", "from", "please", "pls")
            or (after.zh and after.text != "的")
        )
    if not _SUBJECT_BEFORE_RE.search(r.low[: item.start]):
        return False
    return after is None or after.zh or after.text in _AFTER_OBJECT or after.kind is not None


def _namespace_of_segment(r: _Reading, word: str) -> str | None:
    """The one known namespace a word is a hyphen part of ("staging" → ``boutique-staging``)."""
    if len(word) < 4 or "-" in word:
        return None
    owners = [ns for ns in r.matcher.namespaces if word in ns.split("-")]
    return owners[0] if len(owners) == 1 else None


def _misspelt_namespace(r: _Reading, word: str) -> bool:
    """An unknown word close to a known namespace and to no object name (``kube-sytem``)."""
    if len(word) < 5 or not r.matcher.namespaces:
        return False
    if not is_misspelling(word, r.matcher.namespaces):
        return False
    return not is_misspelling(word, [n for n, ks in r.matcher.kinds_by_name.items() if ks[0] != "pod"])


def _namespace_given(r: _Reading, item: _Item, prep: str | None) -> bool:
    """Whether the request names its namespace exactly elsewhere, or puts the word in a name's slot.

    Then a word close to a namespace ("checkout-api" beside "-n checkout") is not that namespace
    misspelt: the namespace is already said, and the word names what is in it.
    """
    if prep in ("named", "called") or r.extracted.namespace is not None:
        return True
    return any(other is not item and other.text in r.matcher.namespaces for other in r.items)


def _plain_unknown(r: _Reading, item: _Item) -> bool:
    return (
        not item.zh
        and item.kind is None
        and item.role is None
        and not r.reserved(item.text)
        and item.text not in r.matcher.namespaces
        and item.text not in r.matcher.kinds_by_name
        and not _name_shaped(item.text)
        and not _NUMERIC_RE.fullmatch(item.text)
    )


def _mark(r: _Reading, item: _Item, role: str, reason: str) -> None:
    if role == "ns":
        i = r.items.index(item)
        before, after = _neighbour(r.items, i, -1), _neighbour(r.items, i, 1)
        located = before is not None and not before.zh and before.text in _NS_PREPOSITIONS
        # "X 命名空间下有什么": the namespace keyword then 下/里/中 makes X where to look.
        if (
            _is_ns_keyword(after)
            and after is not None
            and r.low[after.end : after.end + 1] in ("里", "中", "下", "内")
        ):
            located = True
        r.ns_located = r.ns_located or located or (r.language == "zh" and _zh_namespace_context(r.low, item))
    item.role = role
    (r.ns_items if role == "ns" else r.name_items).append(item)
    r.reasons.append(reason)


_WHOLE_CLUSTER_RE = re.compile(r"\b(?:whole|entire|across\s+the|the)\s+cluster\b|(?:整个|全)\s*集群")
_CREATED_KIND_RE = re.compile(r"\b(?:create|make|add|provision|apply)\s+(?:(?:a|an|the|new|one)\s+)*([a-z]+)")
_WHAT_KILLED_RE = re.compile(
    r"\bwhat(?:'?s|\s+is|\s+keeps)?\s+(?:killed|killing|kills|broke|breaking|crashed|crashing|stopped|stopping|evicted|evicting)\b"
)
_ATTACHED_ZH_RE = re.compile(r"挂(?:了|着|载了?)?\s*(?=哪些|什么|几个|多少)")
_PASSIVE_BEFORE_RE = re.compile(r"(?:被|遭到?|给人)\s*$")
#: A speaker's own intention or possibility before a verb: "I may drain it later", "we might
#: scale it down", "I'm going to restart it".
_INTENT_BEFORE_RE = re.compile(
    r"\b(?:i|we)(?:'ll|'m|\s+am|\s+are)?\s+(?:may|might|could|will|plan\s+to|planning\s+to|going\s+to|intend\s+to)"
    r"(?:\s+(?:have\s+to|need\s+to|want\s+to|also|probably|eventually))?\s+$"
)
_WRITE_VERBS_EN = _DELETE_EN | _RESTART_EN | _SCALE_EN | _DRAIN_EN | _CORDON_EN | _ROLLBACK_EN
#: Adverbs of habit before a verb: what keeps happening ("老是重启", "一直在重启").
_HABIT_BEFORE_RE = re.compile(rf"(?:{_HABIT_ZH}|隔三差五地?|正在|还在|在)\s*(?:在|地|被)?\s*$")


def _read_cue_words(r: _Reading) -> None:
    """Cue words of the operation and filters; a word that turned out a name is no cue.

    ("what runs in the logs namespace": ``logs`` names the namespace, it asks for no logs.)
    """
    spans = [m.span() for m in _RESTART_NOUN_RE.finditer(r.low)]
    # "后面挂了哪些 pod": attached, not crashed (挂 asked with a question word).
    spans += [m.span() for m in _ATTACHED_ZH_RE.finditer(r.low)]
    for item in r.items:
        if item.role is None and any(s <= item.start < e for s, e in spans):
            item.role = "noun"  # "restart count", "by restarts", "重启次数": no restart, no counting
        elif item.role is None and item.text in _SET_EN and re.match(r"\s*than\b", r.low[item.end :]):
            item.role = "noun"  # "lower than the spec": a comparison, no change
    passive = False
    for item in r.items:
        # "老是被 kill", "被干掉了": a delete in the passive voice is what happens to it, no order.
        if (
            item.role is None
            and (item.text in _DELETE_EN or item.text in _DELETE_ZH or item.text in ("杀", "kill"))
            and _PASSIVE_BEFORE_RE.search(r.low[: item.start])
        ):
            item.role = "noun"
            passive = True
        # "I may drain it later; which pods are on it?": a write the user intends, the ask is
        # elsewhere in the sentence.
        elif (
            item.role is None
            and item.text in _WRITE_VERBS_EN
            and _INTENT_BEFORE_RE.search(r.low[: item.start])
        ):
            item.role = "noun"
            r.reasons.append(f"{item.text!r} is what the user may do later, not asked now")
        # "老是重启", "一直在重启": how often it restarts, a symptom; no request to restart it.
        elif (
            item.role is None
            and item.text in _RESTART_ZH
            and (
                _HABIT_BEFORE_RE.search(r.low[: item.start]) or _PASSIVE_BEFORE_RE.search(r.low[: item.start])
            )
        ):
            item.role = "noun"
            passive = True
    named = {it.text for it in r.items if it.role in ("ns", "name", "container")}
    words = {it.text for it in r.items if not it.zh and it.role not in ("ns", "name", "container", "noun")}
    zh_text = frozenset(it.text for it in r.items if it.zh and it.role != "noun")
    cues = _read_cues(r.low, zh_text, words)
    cues.secret_value = (
        bool(words & _SECRET_VALUE_EN)
        or _has_any(zh_text, _SECRET_VALUE_ZH)
        or bool(_PRIVATE_KEY_RE.search(r.low))
    )
    if passive:
        cues.diagnose = True
        r.reasons.append("a delete in the passive voice or a habitual restart: a symptom, not an order")
    cues.previous = cues.previous or r.extracted.previous
    cues.all_ns = cues.all_ns or r.extracted.all_namespaces
    cues.rollback = bool(words & _ROLLBACK_EN) or _has_any(zh_text, _ROLLBACK_ZH)
    cues.rollout_restart = bool(words & _ROLLOUT_RESTART_EN) or _has_any(zh_text, _ROLLOUT_RESTART_ZH)
    cues.cordon = bool(words & _CORDON_EN) or _has_any(zh_text, _CORDON_ZH)
    cues.uncordon = bool(words & _UNCORDON_EN) or _has_any(zh_text, _UNCORDON_ZH)
    cues.drain = bool(words & _DRAIN_EN) or _has_any(zh_text, _DRAIN_ZH)
    marked = _MARK_SCHEDULABLE_RE.search(r.low)
    if marked:
        cues.cordon, cues.uncordon = (
            cues.cordon or bool(marked.group(1)),
            cues.uncordon or not marked.group(1),
        )
    cues.portforward = bool(words & _PORT_FORWARD_EN) or _has_any(zh_text, _PORT_FORWARD_ZH)
    cues.exec_ = (
        bool(words & _EXEC_EN)
        or _has_any(zh_text, _EXEC_ZH)
        or bool(r.command)
        or bool(_ENTER_RE.search(r.low))
    )
    cues.create = bool(words & _CREATE_EN) or _has_any(zh_text, _CREATE_ZH)
    cues.update = bool(words & (_UPDATE_EN | _SET_EN)) or _has_any(zh_text, _UPDATE_ZH + _SET_ZH)

    cues.detail = bool(words & _DETAIL_EN) or _has_any(zh_text, _DETAIL_ZH)
    output = (r.extracted.output or "").lower()
    if ".data" in output or "stringdata" in output:
        cues.secret_value = True
    if output.startswith(("yaml", "json")):
        cues.detail = True
    if named & _LOGS_EN and not (words & (_LOGS_EN | {"tail"})):
        cues.logs = "日志" in zh_text
    if not cues.logs and _LOG_LINES_RE.search(r.low) and set(r.stated_kinds) <= {"pod", *_WORKLOAD_KINDS}:
        cues.logs = True
        r.reasons.append("lines are log lines")
    r.cues = cues


def _choose_namespace(r: _Reading) -> None:
    """The namespace mention: a flag, else the first known one, else the first unknown one."""
    if r.extracted.namespace is not None:
        r.namespace_mention = r.extracted.namespace
    elif r.ns_items:
        known_ns = [it for it in r.ns_items if it.text in r.matcher.namespaces]
        chosen = known_ns[0] if known_ns else r.ns_items[0]
        r.namespace_mention = r.typed(chosen)
        for extra in r.ns_items:
            if extra is not chosen and extra.text in r.matcher.kinds_by_name:
                extra.role = "name"
                r.name_items.append(extra)
        r.name_items.sort(key=lambda it: it.start)
    if r.namespace_mention is not None and r.namespace_mention.lower() in r.matcher.namespaces:
        r.namespace = r.namespace_mention.lower()
    elif r.namespace_mention is not None and r.namespace_mention.lower() in r.ns_alias:
        r.namespace = r.ns_alias[r.namespace_mention.lower()]


def _relative_change(r: _Reading) -> bool:
    """Whether the request changes replicas relatively (a factor or a delta, no target)."""
    low = r.low
    words = {it.text for it in r.items if not it.zh and it.role is None}
    zh_text = {it.text for it in r.items if it.zh}
    return bool(
        words & set(_FACTOR_WORDS_EN)
        or zh_text & set(_FACTOR_WORDS_ZH)
        or _PERCENT_RE.search(low)
        or _TIMES_RE.search(low)
        or _DELTA_RE.search(low)
        or _MORE_OF_RE.search(low)
        or _RELATIVE_REPLICAS.search(low)
        or _SHARE_RE.search(low)
        or _MULTIPLY_RE.search(low)
        or (_SIGNED_RE.search(low) and bool({"scale", "replicas", "replica"} & words))
    )


#: A ready count over a desired one, as kubectl prints READY ("0/1", "2 / 3").
_RATIO_RE = re.compile(r"(?<![\w./:-])(\d+)\s*/\s*(\d+)(?![\w./:-])")


def _short_ratio(low: str) -> bool:
    """Whether the request states a READY count short of the desired one ("一直 0/1")."""
    return any(
        int(m.group(1)) < int(m.group(2)) and not _CHANGE_BEFORE_RE.search(low[: m.start()])
        for m in _RATIO_RE.finditer(low)
    )


#: A change word right before a number: "减少 1/3", "down by 1/2" is a share, not a READY count.
_CHANGE_BEFORE_RE = re.compile(r"(?:减少|增加|减|加|缩|扩|降|升|\bby|\bto|到|成)\s*$")


#: A supposition: "要是缩一半的话", "如果扩到 3 倍", "if we halved it, how many", "what would it be".
_HYPOTHETICAL_RE = re.compile(
    r"(?:要是|如果|假如|假设|万一|倘若)[^，。？?]*?(?:的话|会|是几|是多少|有几|多少)|的话\s*(?:是|会是|有)?\s*(?:几|多少)"
    r"|\bif\s+(?:i|we|you)\s+(?:were\s+to\s+)?\w+[^?.]*\b(?:how\s+many|would)\b|\bwhat\s+would\b[^?.]*\bbe\b"
)


_SUPPOSED = "a change supposed, not asked: the count it would give is computed"


def _hypothetical_change(r: _Reading) -> None:
    """A scale supposed, not asked ("要是缩一半的话是几个"): the count it would give, no write."""
    if r.operation != "scale" or not _HYPOTHETICAL_RE.search(r.low):
        return
    r.operation, r.hypothetical = "get", True
    if "replicas" not in r.fields:
        r.fields.append("replicas")
    r.reasons.append(_SUPPOSED)


def _choose_operation(r: _Reading) -> None:
    """The operation, in order of what a cue commits to: why, writes, scale, logs, reads."""
    cues = r.cues
    stated_kinds = r.stated_kinds
    asks_how_many_replicas = cues.replica and cues.count and not cues.set_
    relative = _relative_change(r) and (
        cues.replica or cues.scale or cues.set_ or any(k in _SCALABLE for k in _name_kinds(r))
    )
    # "bring kafka down to zero replicas", "bump api up to 5": a count the object goes to.
    target = bool(_TARGET_COUNT_RE.search(r.low)) and (
        cues.replica or any(k in _SCALABLE for k in _name_kinds(r))
    )
    scale = (
        cues.scale or relative or target or (cues.replica and (cues.set_ or r.extracted.replicas is not None))
    )
    workload_named = any(k in _WORKLOAD_KINDS for k in stated_kinds) and "pod" not in stated_kinds
    # "restart frontend": the kind the cache knows for the name decides. A Deployment,
    # StatefulSet or DaemonSet is rolled out again; a bare pod's name stays a pod delete.
    known_first = next((ks for it in r.name_items if (ks := r.matcher.kinds_by_name.get(it.text, ()))), ())
    rollout_named = (
        "pod" not in stated_kinds
        and "pod" not in known_first
        and any(k in kinds.ROLLOUT_KINDS for k in known_first)
        and not any(k in _WORKLOAD_KINDS and k not in kinds.ROLLOUT_KINDS for k in stated_kinds)
    )
    # A plural kind word ("pods not ready") or, in Chinese, whose nouns have no number, a
    # kind word with no name ("没就绪的 pod"): the objects in that state are listed.
    listed_kind = any(it.plural for it in r.stated) or (r.language == "zh" and r.stated and not r.name_items)
    if (
        cues.diagnose
        and not cues.why
        and (cues.list_ or cues.count or listed_kind)
        and (_only_states(r) or (_WHICH_ASK_RE.search(r.low) and _only_states(r, _RESTART_STATE_RE)))
    ):
        # "which pods are not ready", "有几个 pod 是 Pending 状态": a listing by state.
        cues.diagnose = False
        r.reasons.append("a listing by state, not a diagnosis")
        if _RESTART_STATE_RE.search(r.low) and not _RESTART_ASKED_RE.search(r.low):
            cues.restart = False  # "哪个 pod 老是重启": restarting is the state, no request to restart
    # "the worker in catalog keeps dying": a restart described of a named object is a symptom,
    # unless the request asks for something else of it.
    symptom = (
        bool(r.name_items)
        and bool(_RESTARTING.search(r.low) or _DIES_RE.search(r.low) or _short_ratio(r.low))
        and not (
            cues.list_ or cues.count or cues.delete or cues.restart or cues.scale or cues.exec_ or cues.top
        )
    )
    op: Operation
    if cues.why or (symptom and not cues.logs):
        # "check the logs and tell me why": the cause is asked; a diagnosis reads the logs too.
        op = "diagnose"
    elif cues.portforward:
        op = "portforward"
    elif cues.create and not cues.delete:
        op = "create"
    elif cues.update and not cues.delete and _names_configmap(r) and (_set_pairs(r) or _has_edit_verb(r)):
        # "edit configmap X and set LOG_LEVEL=debug", "把 X 的 LOG_LEVEL 改成 debug": keys of one
        # ConfigMap get new values; whatever the value word is ("debug"), it is no cue. An edit
        # verb with no key given is an update too, refused for want of the keys.
        op = "update"
    elif cues.rollback:
        op = "rollback"
    elif cues.uncordon:
        op = "uncordon"
    elif cues.cordon or (cues.drain and "node" in stated_kinds + _name_kinds(r)):
        op = "drain" if cues.drain else "cordon"
    elif cues.drain:
        op = "drain"
    elif cues.exec_ and not cues.logs:
        op = "exec"
    elif scale and not (cues.delete and not cues.replica):
        op = "scale"
    elif (
        (cues.restart or cues.rollout_restart)
        and not cues.delete
        and (workload_named or rollout_named or cues.rollout_restart)
    ):
        # A workload's restart is a rollout restart (kubectl rollout restart): its pod template
        # gets a new restartedAt annotation and its controller replaces the pods in order.
        op = "restart"
        r.notes.append("a rollout restart of the workload, not a delete of its pods")
    elif cues.delete or cues.restart or cues.rollout_restart:
        op = "delete"
        if not cues.delete:
            r.notes.append("restart read as deleting the pod so that its controller replaces it")
    elif cues.logs:
        op = "logs"
    elif "event" in stated_kinds:
        op = "list"
    elif cues.diagnose and cues.count and listed_kind and not r.name_items:
        # "有几个 pod 不正常", "how many pods are unhealthy": a number is asked, of the
        # objects in trouble; which they are and why is a diagnosis.
        op = "list"
        r.reasons.append("a count of the objects in trouble, not a diagnosis")
    elif cues.diagnose:
        op = "diagnose"
    elif (
        cues.top
        and not asks_how_many_replicas
        and not _ranks_by_other_key(r.low)
        and not _SPEC_RESOURCES_RE.search(r.low)
        # Usage is measured of pods, nodes and what runs pods: "the memory quota", "a PVC's
        # storage" name a field of the kind stated, not its metrics.
        and not (stated_kinds and all(k not in ("pod", "node", *_WORKLOAD_KINDS) for k in stated_kinds))
    ):
        op = "top"
    else:
        op = "list"
        r.op_stated = cues.list_ or cues.get or cues.count
    r.operation = op


#: Restarting said as a state ("一直重启的 pod 是哪个", "which pod keeps restarting"): asked
#: with "which", it is the restart count the pods are found by.
_RESTART_STATE_RE = re.compile(
    r"\b(?:(?:keeps?|kept|constantly|repeatedly|continuously)\s+(?:on\s+)?)?restarting\b"
    rf"|(?:{_HABIT_ZH})\s*(?:在\s*)?重启"
)
_WHICH_ASK_RE = re.compile(r"\bwhich\b|哪个|哪些|哪一个|哪几个")
#: A restart asked for, beside restarting said as a state ("restart the one that keeps restarting").
_RESTART_ASKED_RE = re.compile(
    r"\b(?:please\s+)?restart\s+(?:it|them|the|that|this|those|all)\b|(?:把|给我|帮我).{0,20}重启一?下?"
)


def _only_states(r: _Reading, *more: re.Pattern[str]) -> bool:
    """Whether every diagnosis cue is a state the request filters by (not ready, Pending)."""
    low = r.low
    zh_states = (_STATE_AFTER_ZH_RE, *(p for p, _ in _STATUS_ZH)) if r.language == "zh" else ()
    # A pod status said later ("pods in X are stuck in Pending") is of pods only.
    said_later = (_STATE_SAID_RE,) if re.search(r"\bpods\b", low) else ()
    states = (_NOT_READY, _STATUS_NOT_RE, _STATUS_EN, *said_later, _STATUS_IS_RE, _JOB_STATE_RE)
    for pattern in (*states, *zh_states, *more):
        low = pattern.sub(lambda m: " " * len(m.group(0)), low)
    if _DIAG_PHRASE_EN.search(low):
        return False
    rest = [it for it in r.items if low[it.start : it.end].strip() and it.role is None]
    words = {it.text for it in rest if not it.zh}
    zh_text = frozenset(it.text for it in rest if it.zh)
    return not (
        words & (_DIAG_EN - {"pending", "evicted", "crashloopbackoff"}) or _has_any(zh_text, _DIAG_ZH)
    )


def _ranks_by_other_key(low: str) -> bool:
    """Whether the request ranks by restarts or age ("top 5 pods by restarts"): no metrics."""
    return any(key in ("restarts", "age") for _, key, _ in _matching_sorts(low))


def _matching_sorts(low: str) -> list[tuple[re.Match[str], str, bool]]:
    return [(m, key, desc) for pattern, key, desc in _SORT_RES if (m := pattern.search(low))]


def _name_kinds(r: _Reading) -> list[str]:
    return [k for it in r.name_items for k in r.matcher.kinds_by_name.get(it.text, ())]


def _name_fallback(r: _Reading) -> None:
    """A request that must target an object and names none takes a misspelt known name.

    Only a word close to a cached name (``paymnetservice``) or shaped like a name
    (``web2``) is taken; an everyday word is never the name of something missing.
    """
    # "describe biling": asking for one object's detail targets one, however it is spelt.
    if (
        r.name_items
        or r.extracted.name is not None
        or not r.unknown
        or (r.operation == "list" and not r.cues.detail)
    ):
        return
    names = _non_pod_names(r)
    for word in r.unknown:
        if _name_shaped(word) or is_misspelling(word, names):
            item = next(it for it in r.items if it.text == word and it.role is None)
            item.role = "name"
            r.name_items.append(item)
            r.unknown.remove(word)
            r.fallback_name = True
            r.fallback_kind = _nearest_kind(r, word, names)
            r.reasons.append(f"unknown {word!r} read as a misspelt name")
            return


def _choose_resource(r: _Reading) -> None:
    """The kind asked for: stated, implied by the operation, or the named object's kind."""
    cues, op = r.cues, r.operation
    _lacked_kinds(r)
    _anaphoric_kinds(r)
    _generic_service_word(r)
    _scheduled_job_word(r)
    name_mentions = tuple(dict.fromkeys(it.text for it in r.name_items))
    if r.extracted.name is not None:
        name_mentions = (r.extracted.name, *[n for n in name_mentions if n != r.extracted.name])
    asked_field = _KIND_FIELD_RE.search(r.low)
    field_kind = (
        "node"
        if _NODE_FIELD_RE.search(r.low)
        else (
            (
                kinds.kind_of_word(asked_field.group(1))
                if asked_field.group(1)
                else _KIND_WORDS_ZH.get(asked_field.group(2)) or kinds.kind_of_word(asked_field.group(2))
            )
            if asked_field
            else None
        )
    )
    # "which node is X on": X is never the node, whatever the cache knows of it (an unknown X too).
    if field_kind is not None and (
        any(k != field_kind for k in _name_kinds(r)) or (r.name_items and not _name_kinds(r))
    ):
        for item in r.items:
            if item.kind == field_kind and item.role is None:
                item.role = "field"
                r.reasons.append(f"the {field_kind} is asked as a field of the object named")
                if field_kind not in r.fields:
                    r.fields.append(field_kind)
    stated, stated_kinds = r.stated, _asked_first(r)
    if r.ref_kind is not None and r.ref_kind not in stated_kinds:
        stated_kinds = [r.ref_kind, *stated_kinds]
    explicit = stated_kinds[0] if stated_kinds else None
    words = {it.text for it in r.items if not it.zh and it.role is None}
    asks_cluster = bool(words & {"kubernetes", "k8s", "cluster"}) or any(it.text == "集群" for it in r.items)
    first_name = name_mentions[0] if name_mentions else None
    first_kinds = r.matcher.kinds_by_name.get(first_name, ()) if first_name else ()
    saw_ns_keyword = any(it.kind == "namespace" for it in r.items) and not r.ns_located
    kind_stated = explicit is not None
    resource: str
    if op == "logs" or op == "exec":
        resource = "pod"
        if explicit not in (None, "pod", *_WORKLOAD_KINDS):
            r.notes.append(f"logs are read from pods; the {explicit} named selects them")
    elif op in ("cordon", "uncordon", "drain"):
        resource = "node"
    elif op == "portforward":
        # kubectl port-forward takes a pod, a service or a workload; a name held as a
        # Service is one (its ports are what is forwarded).
        resource = explicit or (
            "service" if "service" in first_kinds else first_kinds[0] if first_kinds else "pod"
        )
    elif op == "create":
        resource = explicit or "deployment"
    elif op in ("rollback", "restart"):
        workloads = [k for k in (*stated_kinds, *first_kinds) if k in _WORKLOAD_KINDS]
        resource = workloads[0] if workloads else "deployment"
    elif op == "diagnose":
        # Diagnose what the user named; a bare name or no kind at all means its pods; the
        # cluster named first and nothing else is the cluster ("集群健康吗？有没有挂掉的节点").
        first = next((it for it in r.items if it.kind is not None and it.role is None), None)
        if first is not None and first.kind == "cluster" and not name_mentions and not _is_location(r, first):
            resource = "cluster"
            kind_stated = True
        elif explicit not in (None, "namespace", "event"):
            resource = explicit
        elif first_kinds and not any(k == "pod" or k in _WORKLOAD_KINDS for k in first_kinds):
            resource = first_kinds[0]  # "why is tn-worker-3 NotReady": the node itself
        else:
            resource = "pod"
    elif cues.version and (first_kinds[:1] == ("node",) or bool(_NODE_PROGRAMS & set(r.low.split()))):
        # "what version of kubernetes runs on dp-worker-a", "kubelet 版本": the kubelet is a node's.
        resource = "node"
    elif cues.version and (asks_cluster or (explicit in (None, "node", "namespace") and first_name is None)):
        resource = "cluster"
        kind_stated = asks_cluster
    elif op == "scale":
        scalable = [k for k in stated_kinds if k in _SCALABLE]
        if scalable:
            resource = scalable[0]
        elif "statefulset" in first_kinds and "deployment" not in first_kinds:
            resource = "statefulset"
        else:
            resource = "deployment"
    elif op == "top":
        if explicit in ("pod", "node"):
            resource = explicit
        elif r.namespace_mention is not None or (first_name is not None and first_kinds[:1] != ("node",)):
            resource = "pod"
        else:
            resource = "node"
    elif op == "list" and "event" in stated_kinds:
        resource = "event"
    elif explicit is not None and explicit != "namespace":
        resource = explicit
    elif explicit == "namespace" or (saw_ns_keyword and first_name is None and stated == []):
        resource = "namespace"
        kind_stated = True
    elif op == "delete" and (cues.restart or cues.rollout_restart) and not cues.delete:
        resource = "pod"
    elif "deployed" in words and first_name is None:
        resource = "deployment"  # "what's deployed in monitoring": its deployments
    elif first_kinds == ("node",) and (
        _before_is_on(r, first_name) or _runs_on_it(r, first_name) or _RUNS_ON_IT_RE.search(r.low)
    ):
        # "what is scheduled on worker-b7": the things on a node are its pods.
        resource = "pod"
        r.reasons.append(f"pods on node {first_name!r}")
    elif first_kinds:
        # Ports are a service's ("loki 监听哪个端口"), when the name is one.
        # Ports are a service's ("loki 监听哪个端口") when the name is one, unless a field of
        # the workload is asked beside them ("what image does grafana run and which port").
        wants_ports = bool(_FIELD_RES[1][0].search(r.low)) and not _FIELD_RES[0][0].search(r.low)
        resource = "service" if wants_ports and "service" in first_kinds else first_kinds[0]
    elif cues.version or any(it.kind == "cluster" and it.role is None for it in r.items):
        resource = "cluster"
        kind_stated = any(it.kind == "cluster" for it in r.items)
    elif cues.secret_value and not name_mentions:
        resource = "secret"
    elif _WARNING_CUE.search(r.low):
        resource = "event"  # "any warnings lately": Warning events
    else:
        resource = "pod"
    if op == "delete" and (cues.restart or cues.rollout_restart) and not cues.delete and resource != "pod":
        resource = "pod"
    if op in ("get", "list", "delete") and not kind_stated and resource == "pod":
        # "describe biling", "把 recomendationservice 删了": the kind of the cached name a
        # misspelt one is closest to, not any pod.
        near = r.fallback_kind or _kind_of_nearest_name(r, name_mentions)
        if near not in (None, "pod"):
            resource = near or resource
    # A namespace named with the namespace kind and nothing else is itself the object.
    if resource == "namespace" and r.namespace_mention is not None and not name_mentions:
        name_mentions = (r.namespace_mention.lower(),)
    r.resource, r.kind_stated, r.name_mentions = resource, kind_stated, name_mentions
    r.reasons.append(f"kind {resource}" + (" stated" if kind_stated else " inferred"))


#: A count per scope: "which namespace has the most pods", "pods per node", "哪个命名空间的 pod
#: 最多", "每个节点上有几个 pod".
_WHICH_GROUP_RE = re.compile(
    r"\bwhich\s+(?P<a>namespace|node)s?\b[^?.]*?\b(?P<most>most|fewest|least)\b"
    r"|哪个\s*(?P<b>命名空间|namespace|节点|node)[^，。？?]{0,14}?(?P<zmost>最多|最少)"
)
_EACH_GROUP_RE = re.compile(
    r"\b(?:per|by|in\s+each|on\s+each|for\s+each|each)\s+(?P<a>namespace|node)\b"
    r"|(?:每个|各个)\s*(?P<b>命名空间|namespace|节点|node)"
    # "按 namespace 统计", "按节点分组": by what the objects are counted.
    r"|(?:按|按照|根据)\s*(?P<c>命名空间|namespace|节点|node)"
    # "how many statefulsets, and in which namespaces", "分布在哪些节点": where they are, counted.
    r"|\bin\s+which\s+(?P<d>namespace|node)s\b|分布在哪些?\s*(?P<e>命名空间|namespace|节点|node)"
    # "which namespaces have pods not ready", "哪些节点上有 Pending 的 pod": the objects, by where they are.
    r"|\bwhich\s+(?P<f>namespace|node)s?\s+(?:have|has|contain|contains|run|runs)\b"
    r"|哪些\s*(?P<g>命名空间|namespace|节点|node)\s*(?:里|上|下)?(?:面)?\s*(?:有|还有|跑着|运行着?)"
)
_GROUP_WORDS = {"namespace": "namespace", "命名空间": "namespace", "node": "node", "节点": "node"}


def _grouped(r: _Reading) -> dict[str, Any] | None:
    """A count of the objects asked, per namespace or node, when the request asks one."""
    which = _WHICH_GROUP_RE.search(r.low)
    each = None if which else _EACH_GROUP_RE.search(r.low)
    grouped_asked = bool(re.search(r"\bgroup(?:ed)?\s+by\b|分组|分类统计", r.low))
    if which is None and (each is None or not (r.cues.count or r.cues.list_ or grouped_asked)):
        return None
    m = which or each
    assert m is not None
    group = _GROUP_WORDS[
        next(g for k, g in m.groupdict().items() if g and k in ("a", "b", "c", "d", "e", "f", "g"))
    ]
    refilter = False
    if m.groupdict().get("f") or m.groupdict().get("g"):
        if not any(k not in ("namespace", "node") for k in r.stated_kinds):
            return None  # "which nodes have taints": no other kind is counted
        refilter = True
    counted = next((k for k in r.stated_kinds if k not in ("namespace", "node")), "pod")
    if counted not in kinds.KINDS or (group == "namespace" and not kinds.is_namespaced(counted)):
        return None
    out: dict[str, Any] = {
        "resource": counted,
        "operation": "list",
        "group_by": group,
        "all_namespaces": r.namespace is None,
        "name_mention": None,
        "name_kind": None,
        "count_only": False,
    }
    if refilter and counted != r.resource:
        # The place was read as the kind asked: the conditions are read again of the objects counted.
        r.resource = counted
        r.predicates.clear()
        _read_filters(r)
        out["predicates"] = tuple(dict.fromkeys(r.predicates))
    if which is not None:
        fewest = (which.group("most") or which.group("zmost")) in ("fewest", "least", "最少")
        out.update(limit=1, descending=not fewest)
    r.reasons.append(f"{counted}s counted per {group}")
    return out


def _kind_of_nearest_name(r: _Reading, mentions: tuple[str, ...]) -> str | None:
    """The kind of the cached name closest to the first mention the cache does not hold, if close."""
    unknown = next((m for m in mentions if m not in r.matcher.kinds_by_name), None)
    if unknown is None:
        return None
    names = _non_pod_names(r)
    if not is_misspelling(unknown, names):
        return None
    return _nearest_kind(r, unknown, names)


def _non_pod_names(r: _Reading) -> list[str]:
    """The cached names that are not pods' first (what a misspelt name may stand for)."""
    return [n for n, ks in r.matcher.kinds_by_name.items() if ks[0] != "pod"]


def _nearest_kind(r: _Reading, word: str, names: list[str]) -> str | None:
    """The kind of the cached name among ``names`` most similar to ``word``; None without names."""
    if not names:
        return None
    return r.matcher.kinds_by_name[max(names, key=lambda n: similarity(word, n))][0]


#: What an object is said to lack: "has no endpoints", "without a pvc", "没有 endpoints".
_LACKS_BEFORE_RE = re.compile(
    r"\b(?:has|have|had|got|with)\s+no\s+$|\bwithout\s+(?:an?\s+|any\s+)?$|(?:没有|缺少|没)\s*$"
)


def _anaphoric_kinds(r: _Reading) -> None:
    """A kind word after "that"/"this" and a name of that kind is the named object again, no kind asked."""
    named_kinds = {k for it in r.name_items for k in r.matcher.kinds_by_name.get(it.text, ())[:1]}
    for item in r.items:
        if (
            item.kind in named_kinds
            and item.role is None
            and not item.plural
            and re.search(r"\b(?:that|this)\s+$", r.low[: item.start])
            and any(it.start < item.start for it in r.name_items)
        ):
            item.role = "qualifier"
            r.reasons.append(f"that {item.text!r} is the {item.kind} named before")


def _lacked_kinds(r: _Reading) -> None:
    """A kind word the object named by another kind lacks is its symptom, not the kind asked.

    "the service webhook-receiver has no endpoints - why?": the Service is diagnosed.
    """
    stated = [it for it in r.items if it.kind not in (None, "namespace", "cluster") and it.role is None]
    if not r.name_items and r.extracted.name is None:
        return
    for item in stated:
        # "search 为啥没有 endpoints", "does the X service have any endpoints": an Endpoints
        # object is a Service's addresses, under the Service's name; beside a name it is what
        # that object has or lacks, and the object named is what is asked about.
        if item.kind == "endpoints" and item.role is None:
            services = [it for it in r.name_items if "service" in r.matcher.kinds_by_name.get(it.text, ())]
            if services and r.operation in ("get", "list"):
                item.kind = "service"  # "endpoints of search": the Service search, read
                r.reasons.append(f"{item.text!r} of {services[0].text!r} are its Service's")
            else:
                item.role = "field"
                r.reasons.append(f"{item.text!r} are what the object named has or lacks")
    stated = [it for it in stated if it.role is None]
    if len(stated) < 2 or not r.name_items:
        return
    for item in stated:
        if _LACKS_BEFORE_RE.search(r.low[: item.start]):
            item.role = "field"
            r.reasons.append(f"{item.text!r} is what the object lacks, not the kind asked")


def _scheduled_job_word(r: _Reading) -> None:
    """The word job or 任务 beside a CronJob's name is the CronJob ("the backup job", "backup 任务").

    A word that is a whole part of exactly one CronJob's name, and no name itself, is that
    CronJob in a read ("the backup job" for ``ledger-backup``); a write needs the exact name.
    """
    if r.operation not in ("get", "list"):
        return  # "why did the nightly-export job fail": a diagnosis of a job is of its last run
    if any(it.kind not in (None, "job", "namespace", "cluster") and it.role is None for it in r.items):
        return  # "pods of the nightly-export job": the job is the last run whose pods are asked
    writes = r.cues.delete or r.cues.scale or r.cues.restart or r.cues.update or r.cues.create
    for i, item in enumerate(r.items):
        if item.kind != "job" or item.role is not None:
            continue
        for step in (-1, 1):
            near = _neighbour(r.items, i, step)
            if near is None or near.role != "name":
                continue
            known = r.matcher.kinds_by_name.get(near.text, ())
            if not known and not writes:
                owners = [
                    n
                    for n, ks in r.matcher.kinds_by_name.items()
                    if "cronjob" in ks and near.text in n.split("-")
                ]
                if len(owners) == 1:
                    r.reasons.append(f"{near.text!r} is a part of the one CronJob {owners[0]!r}")
                    near.text = owners[0]
                    known = ("cronjob",)
            if "cronjob" in known and "job" not in known:
                item.role = "generic"
                r.reasons.append(f"{item.text!r} names the CronJob {near.text!r}")
                break


def _generic_service_word(r: _Reading) -> None:
    """Mark "service" next to a cached name that is no Service as the everyday word.

    "reports 这个服务挂了吗", "the billing service": the word for an application names no kind.
    """
    for i, item in enumerate(r.items):
        if item.kind != "service" or item.role is not None:
            continue
        for step in (-1, 1):
            near = _neighbour(r.items, i, step)
            known = (
                r.matcher.kinds_by_name.get(near.text, ()) if near is not None and near.role == "name" else ()
            )
            if known and "service" not in known:
                item.role = "generic"
                r.reasons.append(f"'service' names the application {near.text!r}, which is no Service")  # type: ignore[union-attr]
                break


def _asked_first(r: _Reading) -> list[str]:
    """Stated kinds, a kind word that labels a name ("节点 node-3", "service checkout") last.

    In "节点 node-3 上跑了哪些 pod" the kind asked is the free one, pod.
    """
    kinds_ = r.stated_kinds
    if len(set(kinds_)) < 2:
        return kinds_
    labels = set()
    for i, item in enumerate(r.items):
        if item.kind is None or item.role is not None:
            continue
        if r.low[: item.start].rstrip().endswith("的"):
            continue  # "worker 下面的 pod": the noun after 的 is the head, what is asked
        around = (_neighbour(r.items, i, -1), _neighbour(r.items, i, 1))
        if any(n is not None and n.role == "name" for n in around):
            labels.add(item.kind)
    free = [k for k in kinds_ if k not in labels]
    return free + [k for k in kinds_ if k in labels] if free else kinds_


def _is_location(r: _Reading, item: _Item) -> bool:
    """Whether the cluster word says where to look ("集群里", "in the cluster"), not what is asked."""
    before = r.low[: item.start].rstrip()
    return r.low[item.end : item.end + 1] in ("里", "中", "内", "上") or before.endswith(
        ("in", "in the", "across", "across the", "on", "on the")
    )


#: What runs on the node named elsewhere in the sentence ("…, what runs on that node?").
_RUNS_ON_IT_RE = re.compile(
    r"\b(?:runs?|running|scheduled|sitting|sits|deployed|placed|hosted)\s+on\s+(?:that|this|the|it)\b(?!\s+(?!node\b)[a-z])"
)


def _runs_on_it(r: _Reading, name: str | None) -> bool:
    """The name is followed by 上 and a verb of running ("tn-worker-3 上跑了什么")."""
    item = next((it for it in r.items if it.text == name), None)
    return (
        item is not None
        # Adverbs of time or degree may stand between ("上现在跑着啥", "上面目前都运行了什么").
        and re.match(
            r"\s*上[面边]?\s*(?:(?:都|现在|目前|当前|还|还在|正在|实际)\s*)*(?:跑|运行|部署|调度)",
            r.low[item.end :],
        )
        is not None
    )


def _before_is_on(r: _Reading, name: str | None) -> bool:
    """The name follows "on", "scheduled on", "running on" or 在 ("在 worker-1 上")."""
    item = next((it for it in r.items if it.text == name), None)
    return item is not None and _ON_NODE_RE.search(r.low[: item.start].rstrip()) is not None


def _choose_target(r: _Reading) -> None:
    """The one name the request is about, and whether it asks for one object or a list."""
    name_mention, name_kind = _choose_name(r.name_mentions, r.items, r.resource, r.matcher)
    if r.ref_kind is not None and name_mention == r.extracted.name:
        name_kind = (
            r.ref_kind if r.ref_kind in r.matcher.kinds_by_name.get(name_mention or "", ()) else name_kind
        )
    r.name_mention, r.name_kind = name_mention, name_kind
    cues, resource = r.cues, r.resource
    asks_how_many_replicas = cues.replica and cues.count and not cues.set_
    if r.operation == "list" and resource != "event":
        if resource == "cluster":
            r.operation = "get"
        elif name_mention is not None:
            plural_kind = any(it.plural for it in r.stated if it.kind == resource)
            same_kind = name_kind == resource or (
                resource == "namespace" and name_mention == (r.namespace_mention or "").lower()
            )
            # "service z 有哪些端口", "which ports does service z expose": the question word
            # asks the field of the one object a singular kind word names.
            item = next((it for it in r.items if it.text == name_mention and it.role == "name"), None)
            labelled = item is not None and any(
                n is not None and n.kind == resource and not n.plural and n.role is None
                for n in (
                    _neighbour(r.items, r.items.index(item), -1),
                    _neighbour(r.items, r.items.index(item), 1),
                )
            )
            # "看下 redis 的 pod": Chinese nouns have no number; the kind's objects of another
            # object (or of a name not known as one of them) are many unless details are asked.
            of_other = (
                r.language == "zh"
                and item is not None
                and not same_kind
                and not cues.detail
                # "叫 gateway 的 deployment": a name given as the object's own, not another's.
                and not re.search(r"(?:叫|名为|名叫|名字是|名称为|named|called)\s*$", r.low[: item.start])
                and any(
                    it.kind == resource
                    and it.start > item.end
                    and re.fullmatch(
                        r"\s*(?:下面|底下|之下|下|里面|里|中)?\s*的\s*", r.low[item.end : it.start]
                    )
                    for it in r.stated
                )
            )
            if (
                same_kind
                or not (plural_kind or cues.list_ or of_other)
                or asks_how_many_replicas
                or (labelled and any(p.search(r.low) for p, _ in _FIELD_RES))
            ):
                r.operation = "get"
        elif cues.detail and not cues.list_ and not cues.count:
            # "details of the ingress in X": one object of a kind, not a listing.
            singular = [it for it in r.stated if it.kind == resource and not it.plural]
            if singular and not any(it.plural for it in r.stated):
                r.operation = "get"
                r.reasons.append(f"details of one {resource}")


def _relation_type(asked: str, other: str) -> RelationType:
    if asked == "event":
        return "involves"
    if asked in ("pod", "replicaset", "job") and other in _WORKLOAD_KINDS:
        return "owned_by"
    if asked == "pod":
        if other == "node":
            return "on_node"
        if other == "service":
            return "selected_by"
        if other in ("persistentvolumeclaim", "configmap", "secret", "serviceaccount"):
            return "uses"
    if asked in ("configmap", "secret", "persistentvolumeclaim", "serviceaccount") and other in (
        *_WORKLOAD_KINDS,
        "pod",
    ):
        return "used_by"
    if asked == "service" and other in (*_WORKLOAD_KINDS, "pod"):
        return "selects"
    return "related"


#: Relations also carried as ``name_mention`` with ``name_kind`` the related kind.
_MENTIONED_RELATIONS = frozenset({"on_node", "owned_by", "selected_by", "involves", "uses"})


def _possessor_of_asked(r: _Reading, index: int, known: tuple[str, ...]) -> bool:
    """Whether a name next to the asked kind word relates to the objects asked, not names one.

    "demo-worker-2 上的 pod", "redis-cart 的事件": the possessive 的 between a name and the
    asked kind makes the name the possessor; "pod 在用 redis-data", "pod 挂载了 redis-data": a
    relating verb between them makes it the object related to. Only when the cache holds the
    name as other kinds and never as the asked one, and not for a workload's pods, which
    its name already finds.
    """
    if r.resource in known or not known:
        return False
    if r.resource == "pod" and any(k in _WORKLOAD_KINDS for k in known):
        return False  # "redis-cart 的 pod": the workload's pods, read as the pods' name
    item = r.items[index]
    after = _neighbour(r.items, index, 1)
    if after is not None and after.kind == r.resource:
        # "X 上的 pod", "X 上跑着什么 pod", "X 里运行的 pod": a possessive or a place between.
        gap = r.low[item.end : after.start]
        if (
            "的" in gap
            or gap.lstrip().startswith(("上", "里", "中", "下"))
            or any(v in gap for v in _RELATION_ZH)
        ):
            return True
    before = _neighbour(r.items, index, -1)
    if before is None or before.kind != r.resource:
        return False
    between = r.low[before.end : item.start]
    return any(verb in between for verb in _RELATION_ZH)


def _asks_secret_data(r: _Reading, op: str) -> bool:
    """Whether the request would show a Secret's data: the rule, not a list of phrasings.

    Asking for a value ("password", "decode"), for the serialized object ("-o yaml", "cat
    it"), for the credential it holds ("certs", "证书"), or (of one named Secret) what it
    contains ("what's inside", "里面写的啥") all show its data; its name, type, age and
    key names do not.
    """
    serialized = (r.extracted.output or "").lower() not in ("", "wide", "name")
    if r.cues.secret_value or serialized or _SECRET_DUMP_RE.search(r.low):
        return True
    return op == "get" and r.name_mention is not None and bool(_SECRET_CONTENT_RE.search(r.low))


def _find_relations(r: _Reading) -> None:
    """Named objects of another kind than the one asked: filters, not the target.

    "pods on node worker-b7", "pods of the api deployment", "pods behind service
    checkout", "pods using pvc data-0", "events of the redis pod". A name that cannot be
    the asked kind (a node when pods are asked) is a relation only, never looked up as
    the asked kind; a workload named for its pods stays the target as well.
    """
    if r.operation not in ("list", "get", "diagnose", "top", "logs"):
        return
    resource, items = r.resource, r.items
    for i, item in enumerate(items):
        if item.role != "name":
            continue
        adjacent = [
            n.kind
            for n in (_neighbour(items, i, -1), _neighbour(items, i, 1))
            if n is not None
            and n.kind not in (None, "namespace", "cluster")
            and n.role not in ("generic", "field")
        ]
        known = r.matcher.kinds_by_name.get(item.text, ())
        other = next((k for k in adjacent if k != resource), None)
        if other is None and adjacent and not _possessor_of_asked(r, i, known):
            continue
        if other is None:
            other = next((k for k in known if k != resource), None) if resource not in known else None
        if other is None or other == resource:
            continue
        if (
            resource == "pod"
            and r.operation in ("logs", "diagnose", "top")
            and (other in _WORKLOAD_KINDS or any(k in _WORKLOAD_KINDS for k in known))
        ):
            continue  # the workload's pods are the target itself ("the usage 服务's logs": its workload)
        if resource not in ("pod", "event", "service", "replicaset", "job") and other not in _WORKLOAD_KINDS:
            continue
        if other == "pod" and other not in known:
            # "events of the redis pod": the pods of the workload of that name.
            other = next((k for k in known if k in _WORKLOAD_KINDS), other)
        relation = Relation(kind=other, name=item.text, relation=_relation_type(resource, other))
        if relation in r.relations:
            continue
        r.relations.append(relation)
        r.reasons.append(f"{resource} {relation.relation} {other} {item.text!r}")
        if adjacent and r.operation == "get" and not r.cues.detail:
            r.operation = "list"  # "the pods of the frontend deployment": a listing
        if r.name_mention in (None, item.text) and relation.relation in _MENTIONED_RELATIONS:
            # The name stays the mention, with the kind it names: a filter of the kind asked
            # (cache_lookup reads it so), never looked up as the kind asked.
            r.name_mention, r.name_kind = item.text, other
            if r.operation == "get":
                r.operation = "list"
        elif r.name_mention == item.text:
            # Other relations travel in ``relations`` only, so no lookup of the asked kind
            # reports the related object as missing ("pod data-0 does not exist").
            r.name_mention, r.name_kind = None, None
            r.name_mentions = tuple(n for n in r.name_mentions if n != item.text)
            if r.operation == "get":
                r.operation = "list"
    if r.name_mention is None and r.name_mentions:
        r.name_mention, r.name_kind = _choose_name(r.name_mentions, items, resource, r.matcher)


def _read_numbers(r: _Reading) -> None:
    """Replicas (absolute, or a factor or delta on the cached count) and the log tail."""
    low, items = r.low, r.items
    if r.hypothetical:
        _read_relative(r)
    if r.operation == "scale":
        _read_relative(r)
        relative = r.replicas_factor is not None or r.replicas_delta is not None
        replicas = r.extracted.replicas
        if replicas is None and not relative:
            replicas = _first_number(_REPLICA_PATTERNS, low)
        if replicas is None and not relative and _RELATIVE_REPLICAS.search(low):
            r.notes.append("a relative replica change: the target count is not stated")
        elif replicas is None and not relative:
            lone = [it.text for it in items if not it.zh and it.text.isdigit()]
            replicas = int(lone[-1]) if lone else None
        r.replicas = replicas
        if relative:
            r.notes.append("a relative replica change: the target is computed from the cached replicas")
    tail = r.extracted.tail
    if tail is None:
        tail = _first_number(_TAIL_UNIT_PATTERNS, low)
    if tail is None and r.operation == "logs":
        tail = _first_number(_TAIL_LOG_PATTERNS, low)
    r.tail = tail


def _read_relative(r: _Reading) -> None:
    low = r.low
    up, down = bool(_UP_RE.search(low)), bool(_DOWN_RE.search(low))
    words = {it.text for it in r.items if not it.zh and it.role is None}
    multiplied = _MULTIPLY_RE.search(low)
    if multiplied:
        m, d, f, tw = multiplied.group("m", "d", "f", "t")
        if f:
            factor = 2.0 ** {"一": 1, "两": 2, "二": 2, "三": 3}[f]
        elif tw:
            factor = 2.0 if tw == "twice" else 3.0
        else:
            by = float(m or d) if "." in (m or d) else float(_parse_number(m or d) or 0)
            factor = (by if m else 1 / by) if by else 0.0
        if factor > 0:
            r.replicas_factor = round(factor, 4)
            r.reasons.append(f"replicas times {r.replicas_factor:g} ({multiplied.group(0)!r})")
            return
    shared = _SHARE_RE.search(low)
    if shared and (up or down or shared.group(1)):
        part = (
            int(shared.group("num")) / int(shared.group("den"))
            if shared.group("den")
            else _SHARES[shared.group(1) or shared.group(2)]
        )
        before = low[max(0, shared.start() - 12) : shared.start()]
        if shared.group(0).startswith("to") or (_TO_SHARE_RE.search(before) and "by" not in before.split()):
            r.replicas_factor = round(part, 4)  # "缩到原来的三分之一", "down to a third": the share kept
        else:
            r.replicas_factor = round(1 + part if up and not down else 1 - part, 4)
        r.reasons.append(f"replicas times {r.replicas_factor:g} ({shared.group(0)!r})")
        return
    for word, factor in (*_FACTOR_WORDS_EN.items(), *_FACTOR_WORDS_ZH.items()):
        if word in words or (not word.isascii() and any(it.text == word for it in r.items if it.zh)):
            r.replicas_factor = factor
            r.reasons.append(f"replicas times {factor:g} ({word!r})")
            return
    percent = _PERCENT_RE.search(low)
    if percent:
        share = (
            float(percent.group(1)) if percent.group(1) else float(_parse_number(percent.group(2)) or 0)
        ) / 100
        before = low[max(0, percent.start() - 12) : percent.start()]
        if _TO_SHARE_RE.search(before) and "by" not in before.split():
            r.replicas_factor = round(share, 4)  # "scale web to 50%": the share kept
        else:
            r.replicas_factor = round(1 - share if down and not up else 1 + share, 4)
        r.reasons.append(f"replicas times {r.replicas_factor:g} ({percent.group(0)!r})")
        return
    if _ONE_FOLD_RE.search(low):
        r.replicas_factor = 2.0
        r.reasons.append("replicas times 2 (grown by one fold)")
        return
    times = _TIMES_RE.search(low)
    if times:
        n: float | int | None = (
            float(times.group(1)) if "." in times.group(1) else _parse_number(times.group(1))
        )
        if n:
            r.replicas_factor = 1 / n if down and not up else float(n)
            r.reasons.append(f"replicas times {r.replicas_factor:g} ({times.group(0)!r})")
            return
    signed = _SIGNED_RE.search(low)
    if signed and not _DELTA_RE.search(low) and not _RELATIVE_REPLICAS.search(low):
        r.replicas_delta = int(signed.group(2)) * (-1 if signed.group(1) == "-" else 1)
        r.reasons.append(f"replicas {r.replicas_delta:+d} ({signed.group(0).strip()!r})")
        return
    for pattern in (_DELTA_RE, _RELATIVE_REPLICAS, _MORE_OF_RE):
        match = pattern.search(low)
        if match:
            n = _parse_number(next(g for g in match.groups() if g))
            if n is not None:
                negative = bool(_DOWN_RE.search(match.group(0))) or (down and not up)
                r.replicas_delta = -n if negative else n
                r.reasons.append(f"replicas {r.replicas_delta:+d} ({match.group(0).strip()!r})")
                return


#: A yes-or-no question of an object's state: "is X bound yet", "X 绑定了吗", "is it up".
_STATE_ASKED_RE = re.compile(
    r"^\s*(?:is|are|has|have)\b[^?]*\b(?:bound|ready|running|up|available|healthy|pending|scheduled|mounted)\b"
    r"|(?:绑定|就绪|运行|可用|健康)了吗|(?:绑定|就绪|可用)没有|是不是(?:绑定|就绪|在运行)"
)


def _read_filters(r: _Reading) -> None:
    """Counting, sorting, predicates and the fields asked for."""
    low, cues = r.low, r.cues
    if "restart" not in low and "重启" not in low and not _RESTARTING.search(low):
        pass
    elif _NEVER_RESTARTED.search(low):
        r.predicates.append(Predicate(field="restarts", op="==", value=0))
    else:
        more = next((m for p in _RESTARTED_MORE if (m := p.search(low))), None)
        if more is not None and (n := _parse_number(more.group("num"))) is not None:
            r.predicates.append(Predicate(field="restarts", op=">", value=n))
        elif _RESTARTED.search(low) or _RESTARTING.search(low):
            r.predicates.append(Predicate(field="restarts", op=">", value=0))
    if r.name_mention is not None and _STATE_ASKED_RE.search(low) and "status" not in r.fields:
        # "is the redis-data pvc bound yet?": the state of the object named is asked.
        r.fields.append("status")
    short = _SHORT_OF_DESIRED.search(low)
    if short:
        pass  # the ready count compared with the desired one, not the Ready condition
    elif _NOT_READY.search(low):
        r.predicates.append(Predicate(field="ready", op="==", value=False))
    elif _READY.search(low):
        r.predicates.append(Predicate(field="ready", op="==", value=True))
    said = _STATUS_IS_RE.search(low)
    said_word = next((g for g in said.groups() if g), None) if said else None
    negated = _STATUS_NOT_RE.search(low)
    if negated and r.resource == "pod":
        # "不是 Running", "status is not Pending", "没在运行": every other state.
        word = next((g for g in negated.groups() if g), None)
        value = _STATUS_WORDS.get(word or "", "Running")
        r.predicates.append(Predicate(field="status", op="!=", value=value))
    elif said_word in _STATUS_WORDS:
        r.predicates.append(Predicate(field="status", op="==", value=_STATUS_WORDS[said_word]))
    elif r.resource == "pod":
        status = _STATUS_EN.search(low) or _STATUS_LATER_EN.search(low)
        if status and status.group(0).endswith("running") and _IMAGE_BEFORE_RE.search(low[: status.start()]):
            # "every image the monitoring pods are running": run takes the image as its object,
            # a verb, not the Running state.
            status = None
        if status:
            word = next(g for g in status.groups() if g)
            r.predicates.append(Predicate(field="status", op="==", value=_STATUS_WORDS[word]))
        elif r.language == "zh" and (after := _STATE_AFTER_ZH_RE.search(low)) is not None:
            said_zh = next(g for g in after.groups() if g)
            r.predicates.append(Predicate(field="status", op="==", value=_STATUS_WORDS[said_zh]))
        else:
            for pattern, value in _STATUS_ZH:
                if pattern.search(low):
                    r.predicates.append(Predicate(field="status", op="==", value=value))
                    break
    elif r.resource == "job" and (job_state := _JOB_STATE_RE.search(low)) is not None:
        job_word = next(g for g in job_state.groups() if g)
        r.predicates.append(Predicate(field="status", op="==", value=_JOB_STATES[job_word]))
    service_type = _SERVICE_TYPE_RE.search(low)
    if service_type:
        r.predicates.append(Predicate(field="type", op="==", value=_SERVICE_TYPES[service_type.group(1)]))
    if short:
        r.predicates.append(Predicate(field="ready_replicas", op="<", other="replicas"))
    for match, key, desc in _matching_sorts(low)[: 0 if r.sort_by else 1]:
        r.sort_by, r.descending = key, desc
        r.reasons.append(f"sorted by {key} ({match.group(0)!r})")
    by = _SORT_BY_RE.search(low)
    if r.sort_by is None and by and by.group(1) in _SORT_KEYS:
        r.sort_by = _SORT_KEYS[by.group(1)]
        r.descending = r.sort_by != "name"
    by_zh = _SORT_BY_ZH_RE.search(low)
    if r.sort_by is None and by_zh:
        r.sort_by = _SORT_KEYS_ZH[by_zh.group("k")]
        rising = by_zh.group("d") in ("从低到高", "从小到大", "从少到多", "从旧到新", "升序", "正序")
        r.descending = not rising and r.sort_by != "name"
        r.reasons.append(f"sorted by {r.sort_by} ({by_zh.group(0)!r})")
    if r.operation == "list" and r.resource in _SCALABLE:
        for pattern in _REPLICAS_COMPARED:
            if (m := pattern.search(low)) is not None:
                op = _COMPARED_OPS[re.sub(r"\s+", " ", m.group("op"))]
                r.predicates.append(Predicate(field="replicas", op=op, value=int(m.group("num"))))  # type: ignore[arg-type]
                break
    limit = next((m for p in _LIMIT_RES if (m := p.search(low))), None)
    if limit is not None:
        r.limit = _parse_number(limit.group("num"))
    elif r.sort_by is not None and r.stated and not any(it.plural for it in r.stated) and not (by or by_zh):
        # An order asked ("sort them by", "按…排序") lists them all; a superlative asks the one.
        r.limit = 1  # "which pod restarted most": the one
    for pattern, name in _FIELD_RES:
        if pattern.search(low) and name not in r.fields:
            r.fields.append(name)
    if cues.replica and not cues.set_ and r.operation == "get" and "replicas" not in r.fields:
        r.fields.append("replicas")  # "the image of X and its replicas", "有几个副本"
    each = _EACH_RE.search(low)
    workload = next((k for k in r.stated_kinds if k in _SCALABLE), None)
    if cues.count and each and r.operation == "list" and (cues.replica or (workload and r.resource == "pod")):
        # "how many replicas does each statefulset have", "每个 deployment 几个 pod": a count per
        # object is each one's replicas, not how many objects there are.
        r.resource = workload or r.resource
        cues.count = False
        r.fields.append("replicas")
        r.reasons.append(f"a count per object ({each.group(0)!r}): each one's replicas")
    if _SPEC_RESOURCES_RE.search(low):
        r.fields.append("resources")
    for p in r.predicates:
        r.reasons.append(f"filter {p.field} {p.op} {p.other if p.other else p.value!r}")
    if r.predicates or r.fields or r.sort_by:
        r.op_stated = True


def _confidence(r: _Reading) -> float:
    first_kinds = r.matcher.kinds_by_name.get(r.name_mentions[0], ()) if r.name_mentions else ()
    confidence = 1.0
    if not r.kind_stated and not first_kinds and r.operation in ("list", "get") and not r.relations:
        confidence -= 0.3
    if not r.op_stated:
        confidence -= 0.2
    confidence -= min(0.3, 0.1 * len(r.unknown))
    if r.name_mention is not None and r.name_kind is None:
        confidence -= 0.1
    if r.fallback_name:
        confidence -= 0.1
    return round(max(0.1, confidence), 2)


def _compose(r: _Reading) -> Understanding:
    """The reading as the public record."""
    op = r.operation
    intent: Intent
    if op in (
        "delete",
        "scale",
        "rollback",
        "cordon",
        "uncordon",
        "drain",
        "exec",
        "create",
        "restart",
        "portforward",
        "update",
    ):
        intent = "action"
    elif op == "diagnose":
        intent = "analysis"
    else:
        intent = "query"
    if (
        op == "create"
        and (made := _CREATED_KIND_RE.search(r.low))
        and (kind := kinds.kind_of_word(made.group(1)))
    ):
        r.resource = kind  # "create namespace team-99": the kind made, whatever else is named
    if op == "diagnose" and not r.stated_kinds and _WHOLE_CLUSTER_RE.search(r.low):
        # "is the whole cluster healthy", "整个集群的健康状况": the cluster is what is diagnosed.
        r.resource = "cluster"
    if (
        op == "diagnose"
        and r.resource == "service"
        and r.name_kind != "service"
        and all(it.zh for it in r.stated if it.kind == "service")
    ):
        # "哪些服务不正常": 服务 is the application; its health is its pods'.
        r.resource = "pod"
        r.reasons.append("服务 in a diagnosis is the application, diagnosed through its pods")
    mention = (r.namespace_mention or "").lower()
    if intent == "action" and mention in r.ns_alias and mention not in r.matcher.namespaces:
        # A write acts in a namespace named exactly: "staging" is offered, never taken.
        r.namespace = None
        r.reasons.append(
            f"namespace {mention!r} is only a part of {r.ns_alias[mention]!r}: not taken for a write"
        )
    credential = _asks_credential(r)
    if credential and op in ("get", "list") and r.resource != "secret":
        r.reasons.append("a credential is asked: a Secret's data, whatever object is named")
        r.resource = "secret"
    secret_related = r.resource == "secret" or r.name_kind == "secret" or credential
    all_namespaces = r.cues.all_ns and r.resource not in _CLUSTER_SCOPED
    if all_namespaces and r.namespace is not None and r.namespace_mention is not None:
        r.notes.append("both a namespace and all namespaces were named; the namespace wins")
        all_namespaces = False
    extracted = r.extracted
    label_selector = _normalise_selector(",".join(extracted.selector)) if extracted.selector else None
    r.reasons.append(f"operation {op}" + ("" if r.op_stated else " by default"))
    if r.unknown:
        r.reasons.append("not names: " + ", ".join(dict.fromkeys(r.unknown)))
    reading = Understanding(
        intent=intent,
        resource=r.resource,
        operation=op,
        language=r.language,
        confidence=_confidence(r),
        namespace=r.namespace,
        namespace_mention=r.namespace_mention,
        all_namespaces=all_namespaces,
        name_mention=r.name_mention,
        name_kind=r.name_kind,
        name_mentions=r.name_mentions,
        kind_stated=r.kind_stated,
        label_selector=label_selector or None,
        replicas=r.replicas,
        container=r.container,
        tail=r.tail,
        previous=r.cues.previous,
        wants_secret_value=secret_related and op in ("get", "list") and _asks_secret_data(r, op),
        count_only=r.cues.count and op == "list",
        problem_only=r.cues.diagnose,
        warnings_only=r.resource == "event" and bool(_WARNING_CUE.search(r.query.lower())),
        unknown_words=tuple(dict.fromkeys(r.unknown)),
        notes=tuple(r.notes),
        reasons=tuple(dict.fromkeys(r.reasons)),
        relations=tuple(r.relations),
        replicas_factor=r.replicas_factor,
        replicas_delta=r.replicas_delta,
        since_seconds=r.since_seconds,
        grep=r.grep,
        predicates=tuple(dict.fromkeys(r.predicates)),
        sort_by=r.sort_by,
        descending=r.descending,
        limit=r.limit,
        fields=tuple(r.fields),
        command=r.command,
        every=intent == "action" and _every(r),
        wants_content=r.resource == "configmap" and op == "get" and _asks_content(r),
        grep_out=r.grep_out,
        node_state=r.node_state
        if r.resource in ("pod", "node") and op in ("list", "get", "diagnose")
        else None,
    )
    if op == "update":
        return replace(reading, resource="configmap", data=tuple(_set_pairs(r)), label_selector=None)
    if op in ("list", "get") and (grouped := _grouped(r)) is not None:
        return replace(reading, **grouped)
    created = _created(r, label_selector)
    return replace(reading, **created) if created else reading


#: A key given a value in words: "LOG_LEVEL to debug", "LOG_LEVEL 改成 debug", "LOG_LEVEL: debug".
_KEY_GETS_VALUE_RE = re.compile(
    r"(?<![\w.-])(?P<key>[A-Za-z_][A-Za-z0-9_.-]*)[`'\"]?\s*"
    r"(?:\bto\b|\bas\b|改成|改为|设为|设置为|设置成|设成|调成|变成|为|:|：)\s*"
    r"[`'\"]?(?P<value>[^\s,，。;；'\"`？?]+)"
)


def _set_pairs(r: _Reading) -> list[tuple[str, str]]:
    """The keys a change sets and their values, as typed: ``K=V`` or a key given a value in words.

    Only a configuration key (``LOG_LEVEL``, ``num.partitions``, a word the reader found a key)
    is set by words, so "set it to 3" or "change frontend to v2" set no key.
    """
    pairs = [
        (k, v)
        for req in r.extracted.selector
        if "=" in req and "!=" not in req and "==" not in req
        for k, v in [req.split("=", 1)]
    ]
    keys = {it.text for it in r.items if it.role == "key"}
    for m in _KEY_GETS_VALUE_RE.finditer(r.text):
        key = m.group("key")
        if key.lower() in keys or _CONFIG_KEY_RE.fullmatch(key):
            pairs.append((key, m.group("value")))
    return list(dict.fromkeys((k.strip(), v.strip()) for k, v in pairs))


def _has_edit_verb(r: _Reading) -> bool:
    """A verb that changes an object in place ("edit", "patch", "修改"), not only "set"."""
    return any(it.role is None and (it.text in _UPDATE_EN or it.text in _UPDATE_ZH) for it in r.items) or any(
        w in r.low for w in _UPDATE_ZH
    )


def _names_configmap(r: _Reading) -> bool:
    """The request is about one ConfigMap: its kind stated, or a name the cache holds as one."""
    return "configmap" in r.stated_kinds or any(
        "configmap" in r.matcher.kinds_by_name.get(it.text, ()) for it in r.name_items
    )


#: The name of the object a create makes: after named/called, or right after its kind word.
_CREATED_NAME_RES = (
    re.compile(
        r"\b(?:named|called)\s+[`'\"]?([a-z0-9][a-z0-9.-]*)|(?:名为|名字叫|叫做?)\s*([a-z0-9][a-z0-9.-]*)"
    ),
    re.compile(
        r"\b(?:create|make|add|provision)\s+(?:(?:a|an|the|new|one)\s+)*[a-z]+\s+[`'\"]?([a-z0-9][a-z0-9.-]*)"
        r"|(?:创建|新建)(?:一个)?\s*[a-z]+\s*([a-z0-9][a-z0-9.-]*)"
    ),
)
_IMAGE_RE = re.compile(
    r"--image[=\s]+(?P<a>\S+)|\b(?:with|using|from|runs?|running)\s+(?:the\s+)?(?:image\s+)(?P<b>\S+)"
    r"|\bimage\s+(?P<c>[a-z0-9][\w./-]*:[\w.-]+)|镜像\s*(?:为|是|用)?\s*(?P<d>[A-Za-z0-9][\w./:-]*)"
)
_LITERAL_RE = re.compile(r"--from-literal[=\s]+([A-Za-z0-9_.-]+)=(\S*)")
_CREATE_WORDS = frozenset(
    {"named", "called", "with", "in", "using", "image", "from", "and", "replicas", "replica"}
)


def _created(r: _Reading, selector: str | None) -> dict[str, Any]:
    """What a create makes: the new object's name, and a ConfigMap's data or a Deployment's image.

    Its name need not exist (it is made), so it comes from where a new name stands; ``k=v``
    pairs typed for a ConfigMap are its data, not a label selector.
    """
    if r.operation != "create":
        return {}
    if (given := _given_manifest(r)) is not None:
        return given
    name = None
    for pattern in _CREATED_NAME_RES:
        made = pattern.search(r.low)
        found = next((g for g in made.groups() if g), None) if made else None
        if found is not None and found not in _CREATE_WORDS and not kinds.kind_of_word(found):
            name = found
            break
    out: dict[str, Any] = {"name_mention": name, "name_kind": None, "name_mentions": (name,) if name else ()}
    if r.resource == "namespace":
        out.update(namespace=None, namespace_mention=None)
    if r.resource == "configmap":
        pairs = [tuple(req.split("=", 1)) for req in (selector or "").split(",") if "=" in req]
        pairs += [(m.group(1), m.group(2)) for m in _LITERAL_RE.finditer(r.query)]
        # The values as typed: the selector was lowercased nowhere, the text keeps its case.
        out.update(data=tuple((str(k), str(v)) for k, v in pairs), label_selector=None)
    if r.resource == "deployment" and (image := _IMAGE_RE.search(r.query)):
        out["image"] = next(g for g in image.groups() if g).rstrip(".,;")
        replicas = (
            r.extracted.replicas
            if r.extracted.replicas is not None
            else _first_number(_REPLICA_PATTERNS[:3], r.low)
        )
        out["replicas"] = replicas
    return out


#: Where a manifest typed in the request begins.
_MANIFEST_START_RE = re.compile(r"\bapiVersion\s*:")


def _given_manifest(r: _Reading) -> dict[str, Any] | None:
    """What a manifest typed in a create ("apply this: apiVersion: v1, kind: ConfigMap, ...") makes.

    Read as YAML, block or flow (a one-line manifest's commas make it a flow mapping). kcache
    applies only what it builds itself, so a Namespace with a name or a ConfigMap with a name
    and flat ``data`` is taken; any other manifest makes no nameable object and is refused as
    beyond what kcache creates. None when the request holds no manifest.
    """
    start = _MANIFEST_START_RE.search(r.query)
    if start is None:
        return None
    text = r.query[start.start() :].strip().rstrip(".")
    doc: Any = None
    for candidate in (text, "{" + text + "}"):
        try:
            doc = yaml.safe_load(candidate)
        except yaml.YAMLError:
            continue
        if isinstance(doc, dict):
            break
    refused: dict[str, Any] = {"name_mention": None, "name_kind": None, "name_mentions": ()}
    if not isinstance(doc, dict) or not isinstance(meta := doc.get("metadata"), dict):
        r.reasons.append("a manifest that does not read as one object")
        return refused
    kind = kinds.kind_of_word(str(doc.get("kind") or "").lower())
    data = doc.get("data") or {}
    extra = set(doc) - {"apiVersion", "kind", "metadata"} - ({"data"} if kind == "configmap" else set())
    if (
        kind not in ("namespace", "configmap")
        or extra
        or set(meta) - {"name", "namespace"}
        or not isinstance(data, dict)
        or any(isinstance(v, (dict, list)) for v in data.values())
    ):
        r.reasons.append("a manifest with more than kcache builds: applied only with kubectl")
        return refused
    name = str(meta.get("name") or "").lower() or None
    ns = str(meta.get("namespace") or "").lower() or None
    r.reasons.append(f"a {kind} manifest given in the request")
    out: dict[str, Any] = {
        "resource": kind,
        "kind_stated": True,
        "name_mention": name,
        "name_kind": None,
        "name_mentions": (name,) if name else (),
        "label_selector": None,
    }
    out.update(confidence=1.0, unknown_words=(), reasons=(f"a {kind} manifest given in the request",))
    if kind == "namespace":
        out.update(namespace=None, namespace_mention=None)
        return out
    known = ns in r.matcher.namespaces
    out.update(namespace=ns if known else None, namespace_mention=ns or r.namespace_mention)
    out["data"] = tuple((str(k), str(v)) for k, v in data.items())
    if out["data"] and name and "configmap" in r.matcher.kinds_by_name.get(name, ()):
        # Applying a ConfigMap that exists sets its keys: an update of those keys.
        out.update(operation="update", name_kind="configmap")
    return out


#: A value asked from inside a named object ("kafka-config 里分区数是多少", "what is X set to in Y").
_VALUE_INSIDE_RE = re.compile(
    r"(?:里|中)[^，。？]*?(?:是多少|多少|是什么|是啥|设置|配置)|\bset\s+to\b|\bvalue\s+of\b"
)


#: A count asked of each object rather than of all of them.
_EACH_ZH = r"各自?|每个|每一个|分别"
_EACH_RE = re.compile(rf"\b(?:each|every|per)\b|{_EACH_ZH}")
#: The Chinese words alone: Chinese nouns have no number, these say there are several.
_EACH_ZH_RE = re.compile(_EACH_ZH)
#: A configuration key as written: UPPER_SNAKE (``LOG_LEVEL``) or dotted (``num.partitions``).
_CONFIG_KEY_RE = re.compile(
    r"(?<![\w.-])(?:[A-Z][A-Z0-9]*_[A-Z0-9_]+|[a-z][a-z0-9]*(?:\.[a-z][a-z0-9]*)+)(?![\w.-])"
)


def _asks_content(r: _Reading) -> bool:
    """Whether a read of one ConfigMap asks its data, by the rule that finds a Secret's."""
    if r.name_mention is None:
        return False
    return bool(
        r.cues.secret_value
        # kubectl describe shows a ConfigMap's data; a key named ("FEATURE_FLAGS", "num.partitions")
        # asks its value.
        or (r.cues.detail and r.resource == "configmap")
        or (
            r.resource == "configmap"
            and (_CONFIG_KEY_RE.search(r.text) or any(it.role == "key" for it in r.items))
        )
        or _SECRET_DUMP_RE.search(r.low)
        or _SECRET_CONTENT_RE.search(r.low)
        or _VALUE_INSIDE_RE.search(r.low)
        or (r.extracted.output or "").lower().startswith(("yaml", "json"))
    )


def _asks_credential(r: _Reading) -> bool:
    """A credential word that is no name ("the admin password for grafana", "数据库密码")."""
    words = {it.text for it in r.items if not it.zh and it.role not in ("ns", "name", "container")}
    return bool(words & _CREDENTIAL_EN) or _has_any(
        frozenset(it.text for it in r.items if it.zh), _CREDENTIAL_ZH
    )


def _every(r: _Reading) -> bool:
    """A write over everything in its scope rather than one named object.

    Its scope is the cluster or every namespace, every object of a kind (a quantifier, or a
    plural kind and no name), or what a scope holds (a clearing-out verb: "wipe", "清空").
    """
    if r.operation == "create":
        return False  # a create makes one new object; it names no existing ones
    if r.name_mention is not None and r.name_kind != "namespace":
        return False
    low = r.query.lower()
    if _CLEAR_OUT_RE.search(low):
        return True
    if r.name_mention is not None:
        return False  # one named namespace: an object of its own, not "everything"
    quantified = bool(_EVERY_RE.search(low)) or r.cues.all_ns
    plural = any(it.plural for it in r.stated)
    return quantified or plural or r.resource in ("cluster", "namespace")


def _joined(r: _Reading, first: _Item, second: _Item) -> bool:
    """Whether "and"/和/a comma stands between two items."""
    gap = r.low[first.end : second.start]
    return any(f" {w} " in f" {gap} " for w in _AND_EN) or any(w in gap for w in _AND_ZH) or "," in gap


def _further_asks(r: _Reading, reading: Understanding) -> Understanding:
    """A second kind, namespace or name joined by "and"/和 is a second ask.

    "list pods and services in X", "pods in monitoring and in payments-dev", "why is
    notifier failing and why is reports failing": each further ask is a full reading.
    """
    others: list[Understanding] = []
    first_kind = next((it for it in r.stated if it.kind == reading.resource), None)
    if (
        reading.operation in ("list", "get")
        and reading.name_mention is None
        and not reading.relations
        and first_kind
    ):
        for item in r.stated:
            if item.kind in (None, "cluster", reading.resource) or item.start < first_kind.start:
                continue
            if _joined(r, first_kind, item) and all(o.resource != item.kind for o in others):
                others.append(
                    replace(reading, resource=item.kind, kind_stated=True, operation="list", name_mention=None,
                            name_kind=None, name_mentions=(), reasons=(f"second ask: {item.kind}",))
                )  # fmt: skip
    if (
        reading.operation in ("logs", "diagnose", "get")
        and reading.resource != "event"
        and reading.name_mention is not None
        and any(it.kind == "event" for it in r.stated)
    ):
        # "notifier 的日志和事件": the events of the same object, a listing of their own.
        others.append(
            replace(reading, resource="event", operation="list", intent="query", kind_stated=True, fields=(),
                    also=(), reasons=(f"second ask: events of {reading.name_mention}",))
        )  # fmt: skip
    known_ns = [it for it in r.ns_items if it.text in r.matcher.namespaces and it.text != reading.namespace]
    chosen_ns = next((it for it in r.ns_items if it.text == reading.namespace), None)
    for item in known_ns:
        if chosen_ns is not None and item.start > chosen_ns.start and _joined(r, chosen_ns, item):
            others.append(
                replace(reading, namespace=item.text, namespace_mention=r.typed(item), also=(),
                        reasons=(f"second ask: namespace {item.text}",))
            )  # fmt: skip
    if reading.operation in ("diagnose", "get", "logs") and reading.name_mention is not None:
        target = next((it for it in r.name_items if it.text == reading.name_mention), None)
        for item in r.name_items:
            if target is None or item is target or item.start < target.start or not _joined(r, target, item):
                continue
            if item.text in r.matcher.kinds_by_name and item.text != reading.name_mention:
                # "deployment X and service Y": a kind word before the name is its own kind.
                index = r.items.index(item)
                label = _neighbour(r.items, index, -1)
                resource = reading.resource
                if (
                    reading.operation == "get"
                    and label is not None
                    and label.kind not in (None, "namespace", "cluster")
                    and label.kind in r.matcher.kinds_by_name[item.text]
                ):
                    resource = label.kind
                name_kind = _choose_name((item.text,), r.items, resource, r.matcher)[1]
                others.append(
                    replace(reading, resource=resource, name_mention=item.text, name_kind=name_kind,
                            name_mentions=(item.text,), fields=(), reasons=(f"second ask: {item.text}",))
                )  # fmt: skip
    if not others:
        return reading
    what = ", ".join(o.name_mention or o.namespace or o.resource for o in others)
    return replace(reading, also=tuple(others), reasons=(*reading.reasons, f"asks also for {what}"))


def _choose_name(
    mentions: tuple[str, ...],
    items: list[_Item],
    resource: str,
    matcher: Matcher,
) -> tuple[str | None, str | None]:
    """Pick the mention the request is about, and the kind it was found as."""
    if not mentions:
        return None, None

    def kind_for(name: str) -> str | None:
        kinds_of = matcher.kinds_by_name.get(name, ())
        if not kinds_of:
            return "namespace" if name in matcher.namespaces else None
        if resource in kinds_of:
            return resource
        if resource == "pod":
            for workload in _WORKLOAD_KINDS:
                if workload in kinds_of:
                    return workload
        return kinds_of[0]

    def fits(name: str) -> bool:
        kinds_of = matcher.kinds_by_name.get(name, ())
        return resource in kinds_of or (resource == "pod" and any(k in kinds_of for k in _WORKLOAD_KINDS))

    # A mention right next to the kind word ("the cartservice pod", "pod frontend-abc123").
    for i, item in enumerate(items):
        if item.role != "name" or item.text not in mentions:
            continue
        for step in (-1, 1):
            near = _neighbour(items, i, step)
            if near is not None and near.kind == resource and near.role is None:
                return item.text, kind_for(item.text)
    for name in mentions:
        if fits(name):
            return name, kind_for(name)
    return mentions[0], kind_for(mentions[0])


#: The phases of :func:`analyze`, in order; each reads what the earlier ones found.
_PHASES: tuple[Callable[[_Reading], None], ...] = (
    _normalize,
    _structured_references,
    _command,
    _flags_and_selectors,
    _windows_and_line_filters,
    _node_described_by_state,
    _tokenize_kinds,
    _find_container,
    _excluded_names,
    _find_names,
    _read_cue_words,
    _choose_namespace,
    _choose_operation,
    _hypothetical_change,
    _name_fallback,
    _choose_resource,
    _choose_target,
    _find_relations,
    _read_numbers,
    _read_filters,
)

"""Understand a Kubernetes request in Chinese or English: intent, kind, operation, mentions.

The cache is the dictionary. Object and namespace names are ASCII, so they are found in
Chinese text without word segmentation: every run of name characters is one token, looked
up in a set built once per :class:`Vocabulary`. Words that look like names but are unknown
are kept as mentions when their position says what they name ("payments 命名空间",
"in payments", "pod frontend-abc123"), so the caller can report them as not found and
offer the nearest names. Everything here is pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kcache import kinds

Intent = Literal["query", "action", "analysis"]
Operation = Literal["list", "get", "logs", "top", "delete", "scale", "diagnose"]

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
        (r"\bpersistent\s+volume\s+claim(s?)\b", r"persistentvolumeclaim\1"),
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
_COUNT_ZH = ("多少", "几个", "几台", "数量", "总数", "一共", "总共", "个数")
_LOGS_EN = frozenset({"log", "logs", "logging"})
_LOGS_ZH = ("日志",)
_DELETE_EN = frozenset({"delete", "remove", "kill", "destroy", "terminate", "evict", "rm", "del", "nuke"})
_DELETE_ZH = ("删除", "删掉", "删了", "移除", "干掉", "杀掉", "杀死", "销毁", "清除", "去掉",
              "终止")  # fmt: skip
_RESTART_EN = frozenset({"restart", "reboot", "bounce", "recycle"})
_RESTART_ZH = ("重启",)
_SCALE_EN = frozenset({"scale", "scaled", "scaling", "resize"})
_SCALE_ZH = ("扩容", "缩容", "扩展", "伸缩", "扩缩", "扩到", "缩到")
_REPLICA_EN = frozenset({"replica", "replicas", "instances", "copies"})
_REPLICA_ZH = ("副本", "实例数")
_SET_EN = frozenset({"set", "change", "increase", "decrease", "reduce", "raise", "lower", "bump", "adjust"})
_SET_ZH = ("改成", "改为", "设为", "设置为", "设置成", "调整为", "调整到", "调到", "变成",
           "调成", "设成", "改到", "增加到", "减少到", "加到", "减到", "增至", "减至")  # fmt: skip
_DIAG_EN = frozenset(
    {"why", "failing", "failed", "fail", "fails", "failure", "failures", "unhealthy",
     "healthy", "health", "broken", "crash", "crashes", "crashing", "crashed", "crashloop",
     "crashloopbackoff", "backoff", "pending", "stuck", "error", "errors", "erroring",
     "wrong", "problem", "problems", "issue", "issues", "diagnose", "diagnosis",
     "troubleshoot", "debug", "investigate", "imagepullbackoff", "errimagepull",
     "oomkilled", "oom", "restarting", "notready", "unready", "unavailable", "degraded",
     "evicted", "unschedulable"}
)  # fmt: skip
_DIAG_ZH = ("为什么", "为何", "怎么回事", "咋回事", "不健康", "健康", "异常", "诊断", "排查",
            "故障", "失败", "出错", "报错", "错误", "崩溃", "起不来", "启动不了", "挂了",
            "挂掉", "有问题", "不正常", "一直重启", "不停重启", "反复重启", "卡住", "卡在",
            "原因", "分析", "未就绪", "没就绪", "不可用", "不工作", "坏了")  # fmt: skip
_WHY_ZH = ("为什么", "为何", "怎么回事", "咋回事", "原因")
_DIAG_PHRASE_EN = re.compile(
    r"\bnot\s+(?:ready|running|healthy|working|starting|scheduled|started|up)\b"
    r"|\bwhat'?s\s+wrong\b|\bgoing\s+on\b"
)
_TOP_EN = frozenset(
    {"top", "usage", "utilization", "utilisation", "consumption", "consuming", "consumes",
     "cpu", "memory", "mem", "ram", "load"}
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
_SECRET_VALUE_ZH = ("密码", "值", "内容", "解码", "明文", "口令", "数据", "令牌")
_ALL_NS_EN = re.compile(
    r"\ball\s+(?:of\s+)?(?:the\s+)?namespaces\b|\b(?:every|each)\s+namespace\b"
    r"|\bacross\s+(?:all\s+)?(?:the\s+)?(?:namespaces|cluster)\b|\bcluster\s*-?\s*wide\b"
    r"|\b(?:whole|entire)\s+cluster\b|\bin\s+any\s+namespace\b"
)
_ALL_NS_ZH = ("所有命名空间", "全部命名空间", "所有的命名空间", "全部的命名空间", "各个命名空间",
              "每个命名空间", "各命名空间", "所有名字空间", "所有名称空间", "整个集群",
              "全集群", "集群范围", "跨命名空间", "所有空间", "全部空间")  # fmt: skip
_COUNT_PHRASE_EN = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b")
_NS_PREPOSITIONS = frozenset({"in", "from", "within", "inside", "under"})
_CONTAINER_EN = frozenset({"container", "containers"})
_CONTAINER_ZH = "容器"

#: Words skipped when deciding whether two items are next to each other.
_FILLERS = frozenset({"the", "a", "an", "my", "our", "this", "that", "named", "called", "s"})

#: Everyday English words. They never count as unknown names, and a cached name spelt like
#: one (a namespace called ``default``, a service called ``kubernetes``) needs context.
_EN_STOP = frozenset(
    """a an the me my i we us you your our it its this that these those is are was were be
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
    normal""".split()
)

_KIND_ALIASES_EN, _PLURAL_ALIASES = _english_kind_words()

_CUE_EN = (
    _LIST_EN | _GET_EN | _COUNT_EN | _LOGS_EN | _DELETE_EN | _RESTART_EN | _SCALE_EN
    | _REPLICA_EN | _SET_EN | _DIAG_EN | _TOP_EN | _VERSION_EN | _SECRET_VALUE_EN
    | _CONTAINER_EN
    | frozenset({"previous", "prior", "terminated", "most", "up", "down", "zero", "one",
                 "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"})
)  # fmt: skip
#: Tokens that are never names without context, in any language.
_RESERVED = frozenset(_KIND_ALIASES_EN) | _CUE_EN | {"k8s", "kubernetes", "kubectl", "yaml", "json"}
_LEXICON_EN = _RESERVED | _EN_STOP

_ZH_ENTRIES: tuple[str, ...] = tuple(
    sorted(
        set(_KIND_WORDS_ZH)
        | set(_LIST_ZH + _GET_ZH + _COUNT_ZH + _LOGS_ZH + _DELETE_ZH + _RESTART_ZH)
        | set(_SCALE_ZH + _REPLICA_ZH + _SET_ZH + _DIAG_ZH + _TOP_ZH + _VERSION_ZH)
        | set(_PREVIOUS_ZH + _SECRET_VALUE_ZH + _ALL_NS_ZH + (_CONTAINER_ZH,) + _NEUTRAL_ZH),
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
_LABEL_COLON_RE = re.compile(rf"(?:\blabel(?:s|ed|led)?|标签(?:为|是)?)\s*:?\s*({_LKEY})\s*[:：]\s*({_LVAL})")
_REQ_SPLIT_RE = re.compile(r",(?![^()]*\))")
_SET_IN_RE = re.compile(rf"^({_LKEY})\s+(in|notin)\s*\((.*)\)$")
_SET_EQ_RE = re.compile(rf"^({_LKEY})\s*(==|!=|=)\s*(.*)$")
#: Selector keys that are really parameters written as key=value.
_WARNING_CUE = re.compile(r"\bwarnings?\b|警告|告警|异常事件")
_PARAM_KEYS = frozenset({"namespace", "ns", "name", "replicas", "tail", "container"})

_FLAG_RE = re.compile(
    r"(?<!\S)(?P<flag>-n|--namespace|-l|--selector|--tail|-c|--container|--replicas"
    r"|-p|--previous|-a|--all-namespaces)(?:[=\s]+(?P<val>[^\s,，。？?]+))?"
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
_RELATIVE_REPLICAS = re.compile(
    rf"\bby\s+{_NUM}|(?:增加|减少|多加|加|减|再加)\s*{_NUM}\s*(?:个|份)?\s*(?:副本|实例)"
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


def _extract_flags_and_selectors(text: str) -> _Extracted:
    """Pull kubectl-style flags and label selectors out, keeping the value's case."""
    out = _Extracted(text=text)
    for match in list(_FLAG_RE.finditer(text)):
        flag, value = match.group("flag"), match.group("val")
        takes_value = flag not in ("-p", "--previous", "-a", "--all-namespaces")
        if flag in ("-p", "--previous"):
            out.previous = True
        elif flag in ("-a", "--all-namespaces"):
            out.all_namespaces = True
        elif value is None:
            continue
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
        end = match.end() if takes_value else match.start("flag") + len(flag)
        out.text = _blank(out.text, match.start(), end)
    for match in list(_LABEL_COLON_RE.finditer(out.text)):
        out.selector.append(f"{match.group(1)}={match.group(2)}")
        out.text = _blank(out.text, match.start(1), match.end())
    for match in list(_SELECTOR_RE.finditer(out.text)):
        kept = []
        for requirement in _REQ_SPLIT_RE.split(match.group(0)):
            key_match = _SET_EQ_RE.match(requirement.strip())
            key = key_match.group(1).lower() if key_match else ""
            if key_match and key in _PARAM_KEYS and key_match.group(2) != "!=":
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
            else:
                kept.append(requirement)
        if kept:
            out.selector.append(",".join(kept))
        out.text = _blank(out.text, match.start(), match.end())
    return out


def _tokenize(low: str) -> list[_Item]:
    items = []
    for match in _ITEM_RE.finditer(low):
        text = match.group(0)
        is_zh = match.group("zh") is not None
        item = _Item(text=text, start=match.start(), end=match.end(), zh=is_zh)
        if is_zh:
            item.kind = _KIND_WORDS_ZH.get(text)
        elif text in _KIND_ALIASES_EN:
            item.kind = _KIND_ALIASES_EN[text]
            item.plural = text in _PLURAL_ALIASES
        items.append(item)
    return items


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


def _has_any(found: frozenset[str], words: Iterable[str]) -> bool:
    return any(word in found for word in words)


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


def _read_cues(low: str, zh_text: frozenset[str], tokens: set[str]) -> _Cues:
    return _Cues(
        list_=bool(tokens & _LIST_EN) or _has_any(zh_text, _LIST_ZH),
        get=bool(tokens & _GET_EN) or _has_any(zh_text, _GET_ZH),
        count=bool(_COUNT_PHRASE_EN.search(low))
        or bool(tokens & {"count", "total"})
        or _has_any(zh_text, _COUNT_ZH),
        logs=bool(tokens & (_LOGS_EN | {"tail"})) or _has_any(zh_text, _LOGS_ZH),
        delete=bool(tokens & _DELETE_EN) or _has_any(zh_text, _DELETE_ZH),
        restart=bool(tokens & _RESTART_EN) or _has_any(zh_text, _RESTART_ZH),
        scale=bool(tokens & _SCALE_EN) or _has_any(zh_text, _SCALE_ZH),
        replica=bool(tokens & _REPLICA_EN) or _has_any(zh_text, _REPLICA_ZH),
        set_=bool(tokens & _SET_EN) or _has_any(zh_text, _SET_ZH),
        why=bool(tokens & {"why"}) or _has_any(zh_text, _WHY_ZH),
        diagnose=bool(tokens & _DIAG_EN) or bool(_DIAG_PHRASE_EN.search(low)) or _has_any(zh_text, _DIAG_ZH),
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


def analyze(query: str, vocab: Vocabulary) -> Understanding:
    """Read one request against the names the cache holds.

    Args:
        query: The user's request, in Chinese or English.
        vocab: The namespaces and object names known to the cache.

    Returns:
        The intent, kind, operation and every mention found. Unknown name-like words in a
        name or namespace position are kept as mentions so the caller can offer the
        nearest known names.
    """
    matcher = build_matcher(vocab)
    notes: list[str] = []
    source = unicodedata.normalize("NFKC", query).strip()
    for pattern, repl in _KIND_PHRASES_EN:
        source = pattern.sub(repl, source)
    extracted = _extract_flags_and_selectors(source)
    typed = extracted.text
    low = typed.lower()
    # Lowercasing can change length for a few non-ASCII letters; mentions then use low.
    same_length = len(low) == len(typed)
    language: Literal["zh", "en"] = "zh" if _CJK_RE.search(query) else "en"

    items: list[_Item] = []
    for item in _tokenize(low):
        items.extend(_split_glued(item, matcher) if not item.zh else [item])
    tokens = {it.text for it in items if not it.zh}
    zh_text = frozenset(it.text for it in items if it.zh)
    cues = _read_cues(low, zh_text, tokens)
    # A cue word that is a cached name ("data" the namespace) names that object, not a value.
    value_words = {
        t for t in tokens & _SECRET_VALUE_EN if t not in matcher.namespaces and t not in matcher.kinds_by_name
    }
    cues.secret_value = bool(value_words) or _has_any(zh_text, _SECRET_VALUE_ZH)
    cues.previous = cues.previous or extracted.previous
    cues.all_ns = cues.all_ns or extracted.all_namespaces
    all_ns_spans = [m.span() for m in _ALL_NS_EN.finditer(low)]
    for item in items:
        if item.zh and item.text in _ALL_NS_ZH:
            item.kind = "namespace"
            all_ns_spans.append((item.start, item.end))
        if item.kind == "namespace" and any(s <= item.start < e for s, e in all_ns_spans):
            item.role = "qualifier"
        if item.kind == "cluster" and any(s <= item.start < e for s, e in all_ns_spans):
            item.role = "qualifier"

    def typed_text(item: _Item) -> str:
        return typed[item.start : item.end] if same_length else item.text

    def reserved(text: str) -> bool:
        # In a Chinese request English filler words do not occur; only kind and cue
        # words need context there.
        return text in (_RESERVED if language == "zh" else _LEXICON_EN)

    def is_ns_keyword(item: _Item | None) -> bool:
        return item is not None and item.kind == "namespace" and item.role != "qualifier"

    # Container first, so its name is not mistaken for an object's.
    container = extracted.container
    for i, item in enumerate(items):
        if item.text not in _CONTAINER_EN and item.text != _CONTAINER_ZH:
            continue
        after, before = _neighbour(items, i, 1), _neighbour(items, i, -1)
        for near in (after, before):
            if container is not None or near is None or near.zh or near.role is not None:
                continue
            if reserved(near.text) or near.kind is not None or _NUMERIC_RE.fullmatch(near.text):
                continue
            container = near.text
            # A container is often named as its workload; a known name stays a mention.
            if near.text not in matcher.kinds_by_name and near.text not in matcher.namespaces:
                near.role = "container"

    # Namespaces and names.
    ns_items: list[_Item] = []
    name_items: list[_Item] = []
    unknown: list[str] = []
    for i, item in enumerate(items):
        if item.zh or item.kind is not None or item.role is not None:
            continue
        if _NUMERIC_RE.fullmatch(item.text):
            continue
        before, after = _neighbour(items, i, -1), _neighbour(items, i, 1)
        ns_context = (
            is_ns_keyword(before)
            or is_ns_keyword(after)
            or (before is not None and before.text in _NS_PREPOSITIONS)
            or (language == "zh" and _zh_namespace_context(low, item))
        )
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
            ),
            None,
        )
        kinds = matcher.kinds_by_name.get(item.text, ())
        is_ns = item.text in matcher.namespaces
        if reserved(item.text):
            # A cached name spelt like a vocabulary word counts only in its slot.
            if is_ns and ns_context:
                item.role = "ns"
                ns_items.append(item)
            elif kinds and kind_next is not None:
                item.role = "name"
                name_items.append(item)
            continue
        if is_ns and (ns_context or not kinds or (kind_next is None and not ns_items)):
            item.role = "ns"
            ns_items.append(item)
        elif kinds:
            item.role = "name"
            name_items.append(item)
        elif ns_context and not (kind_next is not None and kind_next is after):
            item.role = "ns"
            ns_items.append(item)
        elif kind_next is not None or language == "zh" or "-" in item.text:
            item.role = "name"
            name_items.append(item)
        elif before is not None and before.text in ("for", "of", "about", "is", "named"):
            item.role = "name"
            name_items.append(item)
        else:
            unknown.append(item.text)

    # A namespace keyword next to a namespace mention qualifies it ("boutique 命名空间").
    for i, item in enumerate(items):
        if item.kind == "namespace" and item.role is None:
            around = (_neighbour(items, i, -1), _neighbour(items, i, 1))
            if any(n is not None and n.role == "ns" for n in around):
                item.role = "qualifier"

    namespace_mention: str | None = None
    namespace: str | None = None
    if extracted.namespace is not None:
        namespace_mention = extracted.namespace
    elif ns_items:
        known_ns = [it for it in ns_items if it.text in matcher.namespaces]
        chosen = known_ns[0] if known_ns else ns_items[0]
        namespace_mention = typed_text(chosen)
        for extra in ns_items:
            if extra is not chosen and extra.text in matcher.kinds_by_name:
                extra.role = "name"
                name_items.append(extra)
        name_items.sort(key=lambda it: it.start)
    if namespace_mention is not None and namespace_mention.lower() in matcher.namespaces:
        namespace = namespace_mention.lower()

    stated = [it for it in items if it.kind is not None and it.role is None]
    stated_kinds = [it.kind for it in stated if it.kind not in ("cluster",)]
    saw_ns_keyword = any(it.kind == "namespace" for it in items)

    # Operation.
    operation: Operation
    op_stated = True
    asks_how_many_replicas = cues.replica and cues.count and not cues.set_
    if cues.why and not cues.logs:
        operation = "diagnose"
    elif cues.delete or cues.restart:
        operation = "delete"
        if cues.restart and not cues.delete:
            notes.append("restart read as deleting the pod so that its controller replaces it")
    elif cues.scale or (cues.replica and cues.set_) or (cues.replica and extracted.replicas is not None):
        operation = "scale"
    elif cues.logs:
        operation = "logs"
    elif "event" in stated_kinds:
        operation = "list"
    elif cues.diagnose:
        operation = "diagnose"
    elif cues.top and not asks_how_many_replicas:
        operation = "top"
    else:
        operation = "list"
        op_stated = cues.list_ or cues.get or cues.count

    # The object name the request is about. A request that must target an object and
    # names none known takes its one unknown word as the (probably misspelt) name.
    if not name_items and extracted.name is None and operation != "list" and unknown:
        fallback = next(it for it in items if it.text == unknown[0] and it.role is None)
        fallback.role = "name"
        name_items.append(fallback)
        unknown.remove(fallback.text)
    name_mentions = tuple(dict.fromkeys(it.text for it in name_items))
    if extracted.name is not None:
        name_mentions = (extracted.name, *[n for n in name_mentions if n != extracted.name])

    # Resource.
    explicit = stated_kinds[0] if stated_kinds else None
    asks_cluster = bool(tokens & {"kubernetes", "k8s", "cluster"}) or "集群" in zh_text
    first_name = name_mentions[0] if name_mentions else None
    first_kinds = matcher.kinds_by_name.get(first_name, ()) if first_name else ()
    resource: str
    kind_stated = explicit is not None
    if operation == "logs":
        resource = "pod"
        if explicit not in (None, "pod", *_WORKLOAD_KINDS):
            notes.append(f"logs are read from pods; the {explicit} named selects them")
    elif operation == "diagnose":
        # Diagnose what the user named; a bare name or no kind at all means its pods.
        resource = explicit if explicit not in (None, "namespace", "event") else "pod"
    elif cues.version and (asks_cluster or (explicit in (None, "node", "namespace") and first_name is None)):
        resource = "cluster"
        kind_stated = asks_cluster
    elif operation == "scale":
        scalable = [k for k in stated_kinds if k in ("deployment", "statefulset", "replicaset")]
        if scalable:
            resource = scalable[0]
        elif "statefulset" in first_kinds and "deployment" not in first_kinds:
            resource = "statefulset"
        else:
            resource = "deployment"
    elif operation == "top":
        if explicit in ("pod", "node"):
            resource = explicit
        elif namespace_mention is not None or first_name is not None:
            resource = "pod"
        else:
            resource = "node"
    elif operation == "list" and "event" in stated_kinds:
        resource = "event"
    elif explicit is not None and explicit != "namespace":
        resource = explicit
    elif explicit == "namespace" or (saw_ns_keyword and first_name is None and stated == []):
        resource = "namespace"
        kind_stated = True
    elif operation == "delete" and cues.restart and not cues.delete:
        resource = "pod"
    elif first_kinds:
        resource = first_kinds[0]
    elif cues.version or any(it.kind == "cluster" and it.role is None for it in items):
        resource = "cluster"
        kind_stated = any(it.kind == "cluster" for it in items)
    elif cues.secret_value and not name_mentions:
        resource = "secret"
    else:
        resource = "pod"
    if operation == "delete" and cues.restart and not cues.delete and resource != "pod":
        resource = "pod"

    # A namespace named with the namespace kind and nothing else is itself the object.
    if resource == "namespace" and namespace_mention is not None and not name_mentions:
        name_mentions = (namespace_mention.lower(),)

    name_mention, name_kind = _choose_name(name_mentions, items, resource, matcher)

    if operation == "list" and resource not in ("event",):
        if cues.version and resource == "cluster":
            operation = "get"
        elif resource == "cluster":
            operation = "get"
        elif name_mention is not None:
            plural_kind = any(it.plural for it in stated if it.kind == resource)
            same_kind = name_kind == resource or (
                resource == "namespace" and name_mention == (namespace_mention or "").lower()
            )
            if same_kind or not (plural_kind or cues.list_):
                operation = "get"
            if asks_how_many_replicas:
                operation = "get"

    intent: Intent
    if operation in ("delete", "scale"):
        intent = "action"
    elif operation == "diagnose":
        intent = "analysis"
    else:
        intent = "query"

    replicas: int | None = None
    if operation == "scale":
        replicas = extracted.replicas
        if replicas is None:
            replicas = _first_number(_REPLICA_PATTERNS, low)
        if replicas is None and _RELATIVE_REPLICAS.search(low):
            notes.append("a relative replica change: the target count is not stated")
        elif replicas is None:
            lone = [it.text for it in items if not it.zh and it.text.isdigit()]
            replicas = int(lone[-1]) if lone else None

    tail = extracted.tail
    if tail is None:
        tail = _first_number(_TAIL_UNIT_PATTERNS, low)
    if tail is None and operation == "logs":
        tail = _first_number(_TAIL_LOG_PATTERNS, low)

    secret_related = resource == "secret" or name_kind == "secret"
    wants_secret_value = cues.secret_value and secret_related and operation in ("get", "list")

    all_namespaces = cues.all_ns and resource not in _CLUSTER_SCOPED
    if all_namespaces and namespace is not None and namespace_mention is not None:
        notes.append("both a namespace and all namespaces were named; the namespace wins")
        all_namespaces = False

    label_selector = _normalise_selector(",".join(extracted.selector)) if extracted.selector else None
    confidence = 1.0
    if not kind_stated and not first_kinds and operation in ("list", "get"):
        confidence -= 0.3
    if not op_stated:
        confidence -= 0.2
    confidence -= min(0.3, 0.1 * len(unknown))
    if name_mention is not None and name_kind is None:
        confidence -= 0.1

    return Understanding(
        intent=intent,
        resource=resource,
        operation=operation,
        language=language,
        confidence=round(max(0.1, confidence), 2),
        namespace=namespace,
        namespace_mention=namespace_mention,
        all_namespaces=all_namespaces,
        name_mention=name_mention,
        name_kind=name_kind,
        name_mentions=name_mentions,
        kind_stated=kind_stated,
        label_selector=label_selector or None,
        replicas=replicas,
        container=container,
        tail=tail,
        previous=cues.previous,
        wants_secret_value=wants_secret_value,
        count_only=cues.count and operation == "list",
        problem_only=cues.diagnose,
        warnings_only=resource == "event" and bool(_WARNING_CUE.search(query.lower())),
        unknown_words=tuple(dict.fromkeys(unknown)),
        notes=tuple(notes),
    )


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
        kinds = matcher.kinds_by_name.get(name, ())
        if not kinds:
            return "namespace" if name in matcher.namespaces else None
        if resource in kinds:
            return resource
        if resource == "pod":
            for workload in _WORKLOAD_KINDS:
                if workload in kinds:
                    return workload
        return kinds[0]

    def fits(name: str) -> bool:
        kinds = matcher.kinds_by_name.get(name, ())
        return resource in kinds or (resource == "pod" and any(k in kinds for k in _WORKLOAD_KINDS))

    # A mention right next to the kind word ("the cartservice pod", "pod frontend-abc123").
    for i, item in enumerate(items):
        if item.role != "name":
            continue
        for step in (-1, 1):
            near = _neighbour(items, i, step)
            if near is not None and near.kind == resource and near.role is None:
                return item.text, kind_for(item.text)
    for name in mentions:
        if fits(name):
            return name, kind_for(name)
    return mentions[0], kind_for(mentions[0])

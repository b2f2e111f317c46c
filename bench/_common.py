"""Shared set-up for the benchmarks: a fresh database, the real ``complaintdesk`` CLI run as a
subprocess (migrate, createadmin, token, serve), process memory/CPU from /proc, and statistics.

Everything here talks only to 127.0.0.1. Each benchmark prints one JSON object on stdout;
progress notes go to stderr.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def note(message: str) -> None:
    """Progress for the person running the benchmark (stderr; stdout carries only the JSON)."""
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {message}", file=sys.stderr, flush=True)


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str), flush=True)


def seed_random(seed: int) -> random.Random:
    return random.Random(seed)


# --- statistics ---------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile of an already sorted sequence (like numpy's default)."""
    if not sorted_values:
        return float("nan")
    if len(sorted_values) == 1:
        return float(sorted_values[0])
    rank = (len(sorted_values) - 1) * pct / 100.0
    low = int(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low))


def latency_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    values = sorted(s * 1000.0 for s in seconds)
    if not values:
        return {"requests": 0}
    return {
        "requests": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2),
        "mean_ms": round(sum(values) / len(values), 2),
    }


# --- the machine --------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu_model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_total_mb = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total_mb = int(line.split()[1]) // 1024
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_mb": mem_total_mb,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "note": "the benchmark client runs on the same CPUs as the server and the database",
    }


# --- processes (/proc) --------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces; everything after the last ')' is fixed.
    return raw[raw.rindex(")") + 2:].split()


def children_of(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    kids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields is not None and int(fields[1]) == pid:
            kids.append(int(entry.name))
    return sorted(kids)


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children_of(current))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children), 0 when it is gone."""
    fields = _proc_stat(pid)
    if fields is None:
        return 0.0
    # After the ')' the fields start at "state" (field 3): utime is field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid: int) -> int:
    """VmRSS of a process in kB (from /proc/<pid>/status), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def postgres_backend_pids(dbname: str) -> list[int]:
    """PostgreSQL backend processes serving ``dbname`` (same machine), e.g. for their CPU time."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            words = cmdline(int(entry.name)).split()
            if words[:1] == ["postgres:"] and dbname in words[2:5]:
                pids.append(int(entry.name))
    return pids


# --- databases ----------------------------------------------------------------------------


@dataclass
class BenchDatabase:
    """The database a benchmark runs against; ``url`` is what the server gets as CD_DATABASE_URL."""

    url: str
    vendor: str  # "sqlite" or "postgresql"
    name: str  # file path (SQLite) or database name (PostgreSQL)
    created: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.vendor == "postgresql"

    def connect(self) -> Any:
        """A plain DB-API connection (no Django) for counting rows afterwards."""
        if self.is_postgres:
            import psycopg

            return psycopg.connect(_libpq_url(self.url), autocommit=True)
        import sqlite3

        return sqlite3.connect(self.name, timeout=30)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        conn = self.connect()
        try:
            cur = conn.cursor()
            cur.execute(sql if self.is_postgres else sql.replace("%s", "?"), params)
            row = cur.fetchone()
            return row[0] if row else None
        finally:
            conn.close()


def _libpq_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql" if parts.scheme in {"postgres", "postgresql", "pgsql", "psql"} else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def _maintenance_url(url: str) -> str:
    parts = urlsplit(_libpq_url(url))
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        conn.execute(sql)


def _pg_exists(url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(_maintenance_url(url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def prepare_database(database_url: str | None, data_dir: Path, *, reuse: bool = False) -> BenchDatabase:
    """A fresh database for this run: a new SQLite file in ``data_dir`` by default, or the
    PostgreSQL database named in ``database_url``, created here (it must not exist yet, so that
    a benchmark can never overwrite real data). ``reuse`` keeps an existing one instead."""
    if not database_url:
        path = data_dir / "complaintdesk.sqlite3"
        if path.exists() and not reuse:
            raise SystemExit(f"{path} exists; use a new --data-dir")
        return BenchDatabase(url=f"sqlite:///{path}", vendor="sqlite", name=str(path))
    scheme = urlsplit(database_url).scheme
    if scheme.startswith("sqlite"):
        path = Path(urlsplit(database_url).path)
        if path.exists() and not reuse:
            raise SystemExit(f"{path} exists; a benchmark needs a fresh database")
        return BenchDatabase(url=database_url, vendor="sqlite", name=str(path))
    name = urlsplit(database_url).path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit("name a dedicated database in --database-url, e.g. postgres://postgres@127.0.0.1/bench")
    if _pg_exists(database_url, name):
        if reuse:
            return BenchDatabase(url=database_url, vendor="postgresql", name=name)
        raise SystemExit(f"database {name!r} exists; the benchmark creates (and drops) its own")
    _pg_admin(database_url, f'CREATE DATABASE "{name}"')
    return BenchDatabase(url=database_url, vendor="postgresql", name=name, created=True)


def drop_database(db: BenchDatabase) -> None:
    if db.is_postgres:
        _pg_admin(db.url, f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
    # A SQLite file lives in the data dir, which the caller removes.


@contextlib.contextmanager
def bench_data_dir(given: str | None, *, prefix: str, keep: bool) -> Iterator[Path]:
    """The data dir (CD_DATA_DIR) for the run: ``given`` or a new temporary one, removed at the end
    unless ``keep``."""
    if given:
        path = Path(given).resolve()
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


# --- the server (real CLI) ----------------------------------------------------------------


def cli_executable() -> str:
    beside = Path(sys.executable).parent / "complaintdesk"
    if beside.exists():
        return str(beside)
    found = shutil.which("complaintdesk")
    if found is None:
        raise SystemExit("the complaintdesk command is not installed (pip install -e .)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CD_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"CD_DATA_DIR": str(data_dir), "CD_DATABASE_URL": database_url, "CD_LOG_LEVEL": "WARNING"})
    env.update(extra or {})
    return env


@dataclass
class Server:
    """``complaintdesk serve`` as a subprocess in its own process group."""

    data_dir: Path
    database_url: str
    workers: int | None = None
    threads: int | None = None
    job_worker: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        return server_env(self.data_dir, self.database_url, self.extra_env)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "serve.log"

    def cli(self, *args: str, timeout: float = 1800) -> str:
        """Run ``complaintdesk ARGS`` with the server's environment; returns stdout."""
        done = subprocess.run([cli_executable(), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"complaintdesk {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-4000:]}")
        return done.stdout

    def migrate(self) -> None:
        self.cli("migrate", "--verbosity", "0")

    def admin_token(self, username: str = "bench") -> str:
        """createadmin + token through the CLI, as an operator would."""
        self.cli("createadmin", "--username", username, "--password", "Bench-passw0rd!")
        return self.cli("token", username, "--name", "bench").strip().splitlines()[-1].strip()

    def start(self, *, timeout: float = 90) -> None:
        self.port = free_port()
        argv = [cli_executable(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers is not None:
            argv += ["--workers", str(self.workers)]
        if self.threads is not None:
            argv += ["--threads", str(self.threads)]
        if not self.job_worker:
            argv.append("--no-worker")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        import httpx

        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        return [] if self.process is None else process_tree(self.process.pid)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def stop(self) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        # gunicorn's master stops its workers on SIGTERM; serve then stops its job consumer.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def django_setup(data_dir: Path, database_url: str) -> None:
    """Configure Django in the benchmark process itself (for seeding), on the server's database."""
    for key in [k for k in os.environ if k.startswith("CD_")]:
        del os.environ[key]
    os.environ.update(server_env(data_dir, database_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "complaintdesk.settings"
    import django

    django.setup()


# --- realistic Chinese complaint text -----------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国建华志强晓明晓燕海燕俊杰子涵浩然欣怡梓萱宇轩"
REGIONS = ["上海市浦东新区", "北京市朝阳区", "广东省深圳市", "广东省广州市", "浙江省杭州市", "江苏省南京市",
           "四川省成都市", "湖北省武汉市", "陕西省西安市", "山东省青岛市", "福建省厦门市", "重庆市渝北区"]
PRODUCTS = [
    ("PH-X10", "X10 智能手机", "智能手机"), ("PH-X10P", "X10 Pro 智能手机", "智能手机"),
    ("PH-A5", "A5 青春版手机", "智能手机"), ("NB-P14", "Pro 14 笔记本电脑", "笔记本电脑"),
    ("NB-A13", "Air 13 笔记本电脑", "笔记本电脑"), ("TV-65Q", "65 英寸 QLED 电视", "电视"),
    ("TV-55U", "55 英寸 4K 电视", "电视"), ("AC-K3", "K3 变频空调", "家用电器"),
    ("WM-W9", "W9 滚筒洗衣机", "家用电器"), ("RF-B5", "B5 双开门冰箱", "家用电器"),
    ("RB-S7", "S7 扫地机器人", "智能家居"), ("SP-M2", "M2 智能音箱", "智能家居"),
    ("KT-E2", "E2 电热水壶", "小家电"), ("AF-F4", "F4 空气炸锅", "小家电"),
    ("HD-H1", "H1 吹风机", "小家电"), ("WH-T6", "T6 燃气热水器", "家用电器"),
]
# What customers write, per leaf category of the default taxonomy.
PROBLEMS: dict[str, list[str]] = {
    "malfunction": ["开机后屏幕闪烁", "无法开机", "充电时自动重启", "遥控器失灵", "运行时异响严重", "频繁死机卡顿",
                    "WiFi 连接经常断开", "显示屏出现竖线"],
    "appearance_defect": ["外壳有明显划痕", "屏幕边缘有气泡", "机身掉漆", "面板颜色不一致"],
    "performance": ["续航远低于宣传", "制冷效果差", "噪音超过标称值", "洗不干净衣服"],
    "workmanship": ["做工粗糙有毛刺", "按键松动", "接缝处开裂", "螺丝生锈"],
    "delivery_delay": ["超过承诺时间未送达", "物流信息一周未更新", "快递显示签收但未收到"],
    "damaged_package": ["外包装破损严重", "收到时箱子被压扁", "包装进水受潮"],
    "wrong_item": ["发错型号", "少发配件", "颜色发错"],
    "courier_attitude": ["快递员态度恶劣", "快递员拒绝送货上门", "快递员未经同意放驿站"],
    "agent_attitude": ["客服态度冷漠", "客服挂断电话", "客服推诿不处理"],
    "slow_response": ["投诉三天无人回复", "在线客服排队两小时", "售后电话一直打不通"],
    "broken_promise": ["承诺的上门时间爽约", "答应的补偿未到账", "说好回电却没有回电"],
    "repair_quality": ["维修后同样故障再次出现", "维修后外观受损", "更换的配件是旧件"],
    "repair_delay": ["送修一个月还没修好", "维修进度无人告知", "上门维修一再改期"],
    "return_exchange": ["七天无理由退货被拒", "退货退款迟迟未到账", "换货要求被驳回"],
    "overcharge": ["上门费收费不合理", "保修期内被收取维修费", "安装收取额外材料费"],
    "price_fraud": ["先涨价后打折", "结算价格与页面不符", "优惠券无法使用"],
    "invoice": ["发票一直未开具", "发票抬头错误", "无法开具增值税专用发票"],
    "exaggeration": ["宣传的功能实际没有", "实际能效等级与宣传不符"],
    "gift_not_delivered": ["赠品一直未发货", "承诺的延保未生效"],
    "injury": ["使用时划伤手指", "产品边角锋利致孩子受伤"],
    "fire_electric": ["充电时冒烟起火", "机身漏电有麻手感", "插头发热烧焦"],
    "food_safety": ["内胆有异味", "涂层脱落混入食物"],
    "other": ["其他问题咨询", "对处理结果不满意"],
}
DEMANDS = ["要求退货退款", "要求换新", "要求上门维修", "要求赔偿损失", "要求尽快处理", "要求给个说法"]
SEARCH_PHRASES = ["屏幕闪烁", "退货退款", "快递员态度", "发票一直未开具", "维修后同样故障"]


def chinese_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))] + (GIVEN[rng.randrange(len(GIVEN))] if rng.random() < 0.7 else "")
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def mobile_phone(rng: random.Random) -> str:
    return rng.choice(["138", "139", "136", "150", "151", "158", "186", "188", "177", "199"]) + \
        f"{rng.randrange(10**8):08d}"


def complaint_text(rng: random.Random, category_key: str, product_name: str, order_number: str) -> tuple[str, str]:
    """A subject and description as a customer would write them."""
    problem = rng.choice(PROBLEMS.get(category_key) or PROBLEMS["other"])
    demand = rng.choice(DEMANDS)
    subject = f"{product_name}{problem}，{demand}"
    description = (
        f"本人于{rng.randint(1, 12)}月{rng.randint(1, 28)}日购买{product_name}（订单号 {order_number}），"
        f"{problem}。已多次联系售后未解决，{demand}。联系时间：工作日{rng.choice(['上午', '下午', '晚上'])}。"
    )
    return subject, description

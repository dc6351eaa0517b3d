"""The sandbox launcher: isolates itself, then execs the language's test harness.

Run by `hireflow.sandbox` as `python -I -S launch.py` with a JSON job on stdin; standard library
only (it runs before anything of the app is importable, and must stay small). Three processes:

1. the launcher (in the host's namespaces) forks
2. a child that unshares user, mount, network, PID, IPC and UTS namespaces; the launcher writes
   its uid/gid maps (a privileged launcher maps the sandbox user to `nobody`, so RLIMIT_NPROC
   applies even when the app runs as root) and the child forks
3. PID 1 of the new PID namespace: builds a minimal root (a tmpfs with the runtime's folders
   bound read-only and a size-limited tmpfs at /scratch), pivots into it, drops to an
   unprivileged uid, sets resource limits and a Landlock ruleset, and execs the interpreter.

When PID 1 dies the kernel kills everything else in its namespace; every stage has
PR_SET_PDEATHSIG, so killing the launcher (or the app) takes the whole tree.
Setup failures exit with SETUP_FAILED and a line starting with SETUP_PREFIX on stderr: the
candidate's code has not run.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import stat
import sys
from typing import Any

SETUP_FAILED = 125
SETUP_PREFIX = "hireflow-sandbox setup failed: "
SANDBOX_UID = 1000  # the uid inside the namespace
NOBODY = 65534  # its uid outside, when the launcher runs as root
RESULT_FD = 3

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
SECBIT_NOROOT = 1
SECBIT_NOROOT_LOCKED = 2

SYS_PIVOT_ROOT = 155
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
LANDLOCK_RULE_NET_PORT = 2

# Landlock filesystem rights by the ABI version that introduced them.
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_ABI1 = (1 << 13) - 1  # EXECUTE … MAKE_SYM
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class SetupError(Exception):
    pass


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(err)}")
    return result


def _syscall(number: int, *args: object) -> int:
    return int(_libc.syscall(ctypes.c_long(number), *args))


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    version = _syscall(
        SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION
    )
    return max(version, 0)


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    result = _libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(result, f"mount {source or fstype} on {target}")


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0), f"prctl {option}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    except OSError as exc:
        raise SetupError(f"writing {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


# -- the minimal root --------------------------------------------------------------------------


def _statvfs_lock_flags(path: str) -> int:
    # A read-only remount in a user namespace must keep the flags the host mount has.
    flags = os.statvfs(path).f_flag
    kept = 0
    for st_flag, ms_flag in (
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
    ):
        if flags & st_flag:
            kept |= ms_flag
    return kept


def _bind_readonly(source: str, root: str) -> None:
    target = root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w"):
            pass
    _mount(source, target, None, MS_BIND)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | _statvfs_lock_flags(source)
    _mount(None, target, None, flags)


def build_root(job: dict[str, object], root: str) -> None:
    """Mount a tmpfs on `root`, bind the runtime into it read-only, add /scratch; pivot."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("sandbox", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path in job["links"]:  # type: ignore[attr-defined]
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        os.symlink(os.readlink(path), root + path)
    for path in job["binds"]:  # type: ignore[attr-defined]
        _bind_readonly(path, root)
    for device in ("null", "zero", "urandom", "random"):
        _bind_device(f"/dev/{device}", root)
    scratch = root + "/scratch"
    os.mkdir(scratch)
    # Owned by the uid the code runs as: 1000 when privileged, else 0 (our only mapping).
    owner = SANDBOX_UID if job["privileged"] else 0
    options = f"size={int(job['scratch_bytes'])},mode=0700,uid={owner},gid={owner}"  # type: ignore[call-overload]
    _mount("scratch", scratch, "tmpfs", MS_NOSUID | MS_NODEV, options)
    for name, text in job["files"].items():  # type: ignore[attr-defined]
        path = f"{scratch}/{name}"
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chown(path, owner, owner)
    os.chown(scratch, owner, owner)
    os.chdir(root)
    _check(_syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detaching the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _bind_device(path: str, root: str) -> None:
    os.makedirs(root + "/dev", exist_ok=True)
    with open(root + path, "w"):
        pass
    _mount(path, root + path, None, MS_BIND)
    _mount(None, root + path, None, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC)


# -- Landlock ----------------------------------------------------------------------------------


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def restrict_with_landlock(read_paths: list[str], write_paths: list[str]) -> None:
    """Read/execute beneath `read_paths`, everything beneath `write_paths`, no TCP at all."""
    abi = landlock_abi()
    if abi < 1:
        raise SetupError("Landlock is not available")
    handled = FS_ABI1
    if abi >= 2:
        handled |= FS_REFER
    if abi >= 3:
        handled |= FS_TRUNCATE
    if abi >= 5:
        handled |= FS_IOCTL_DEV
    attr = _RulesetAttr(handled, 0, 0)
    size = 8  # ABI 1–3: only the filesystem field
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP  # and no port is allowed
        size = 16
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size = 24
    ruleset = _check(
        _syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0),
        "landlock_create_ruleset",
    )
    read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
    for paths, access in ((read_paths, read), (write_paths, handled)):
        for path in paths:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                allowed = access
                if not stat.S_ISDIR(os.fstat(fd).st_mode):  # files take file rights only
                    allowed &= FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE
                    allowed |= FS_IOCTL_DEV & handled if path.startswith("/dev/") else 0
                rule = _PathBeneathAttr(allowed, fd)
                _check(
                    _syscall(
                        SYS_LANDLOCK_ADD_RULE,
                        ruleset,
                        LANDLOCK_RULE_PATH_BENEATH,
                        ctypes.byref(rule),
                        0,
                    ),
                    f"landlock_add_rule {path}",
                )
            finally:
                os.close(fd)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _check(_syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    os.close(ruleset)


# -- limits ------------------------------------------------------------------------------------


def set_limits(limits: dict[str, Any]) -> None:
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))
    memory = limits["memory_bytes"]
    # V8 reserves far more address space than it uses: limit node's data segment (private
    # writable memory) instead of its address space.
    kind = resource.RLIMIT_DATA if limits.get("memory_kind") == "data" else resource.RLIMIT_AS
    resource.setrlimit(kind, (memory, memory))


# -- the three processes -------------------------------------------------------------------------


def _pid1(job: dict[str, object], root: str) -> None:
    build_root(job, root)
    _drop_capabilities_for_good()
    if job["privileged"]:
        os.setgroups([])
        os.setresgid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)
        os.setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID)  # no capabilities after this
    # Unprivileged, our uid is 0 in the namespace (the only mapping there can be): with an
    # empty bounding set and SECBIT_NOROOT, exec grants it no capability.
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # cleared by the uid change: set it again
    set_limits(job["limits"])  # type: ignore[arg-type]
    restrict_with_landlock(
        [p for p in (*job["binds"], *job["links"]) if os.path.exists(p)]  # type: ignore[misc]
        + ["/dev/zero", "/dev/urandom", "/dev/random"],
        ["/scratch", "/dev/null"],
    )
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.set_inheritable(RESULT_FD, True)
    os.closerange(RESULT_FD + 1, 1 << 16)
    os.chdir("/scratch")
    argv: list[str] = job["argv"]  # type: ignore[assignment]
    os.execve(argv[0], argv, job["env"])  # type: ignore[arg-type]  # noqa: S606 - no shell


def _drop_capabilities_for_good() -> None:
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0:
            break  # past the kernel's last capability
    _prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED)


def _fail(message: str) -> None:
    try:
        os.write(2, (SETUP_PREFIX + message + "\n").encode())
    finally:
        os._exit(SETUP_FAILED)


def _exit_like(status: int) -> None:
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def _namespaced(job: dict[str, object], ready: int, mapped: int, privileged: bool) -> None:
    """Stage 2: enter the new namespaces, wait for the id maps, fork PID 1 and wait for it."""
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        uid, gid = os.getuid(), os.getgid()
        flags = (
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
        )
        _check(_libc.unshare(flags), "unshare")
        if privileged:
            os.write(ready, b"1")
            if os.read(mapped, 1) != b"1":
                raise SetupError("the launcher could not write the id maps")
        else:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1\n")
            _write("/proc/self/gid_map", f"0 {gid} 1\n")
        os.close(ready)
        os.close(mapped)
        pid = os.fork()
        if pid == 0:
            try:
                _pid1(job, str(job["root"]))
            except (SetupError, OSError) as exc:
                _fail(str(exc))
            _fail("exec returned")
        _, status = os.waitpid(pid, 0)
        _exit_like(status)
    except (SetupError, OSError) as exc:
        _fail(str(exc))


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    privileged = os.geteuid() == 0
    job["privileged"] = privileged
    # The result channel arrives on whatever number the app's pipe had; the harness finds it
    # on RESULT_FD. A probe has none: /dev/null keeps the number from being reused.
    given = job.get("result_fd")
    source = given if isinstance(given, int) else os.open(os.devnull, os.O_WRONLY)
    if source != RESULT_FD:
        os.dup2(source, RESULT_FD)
        os.close(source)
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        pid = os.fork()
    except (SetupError, OSError) as exc:
        _fail(str(exc))
    if pid == 0:
        os.close(ready_r)
        os.close(mapped_w)
        _namespaced(job, ready_w, mapped_r, privileged)
    os.close(ready_w)
    os.close(mapped_r)
    # The sandbox's processes hold the output pipes; ours go to /dev/null so the app sees EOF
    # when the sandbox ends.
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.close(RESULT_FD)
    if privileged and os.read(ready_r, 1) == b"1":
        try:
            _write(f"/proc/{pid}/uid_map", f"0 0 1\n{SANDBOX_UID} {NOBODY} 1\n")
            _write(f"/proc/{pid}/gid_map", f"0 0 1\n{SANDBOX_UID} {NOBODY} 1\n")
            os.write(mapped_w, b"1")
        except (SetupError, OSError) as exc:
            os.write(2, (SETUP_PREFIX + str(exc) + "\n").encode())
            os.kill(pid, signal.SIGKILL)
    os.close(mapped_w)
    os.dup2(devnull, 2)
    _, status = os.waitpid(pid, 0)
    _exit_like(status)


if __name__ == "__main__":
    main()

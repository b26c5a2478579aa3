"""The script sandbox: conditions, scripts, timer and multi-instance expressions from BPMN models.

Models come from department designers, not the operator, so their Python runs restricted:

- compiled with RestrictedPython (`compile_restricted_eval` / `_exec`) and a stricter policy
  (`policy`): no `import`, `class`, `with`, `finally`, bytes literals or `except*`
  (`print` only in scripts: its text goes to the case's step log, see `printing`);
  handlers name only the exceptions below; names and attributes starting with `_`,
  frame/generator/code attributes (`gi_frame`, `f_globals`...), `mro`, `format`, `format_map`,
  `encode`, `translate` and `maketrans` are refused, as are the names `eval`, `exec`, `compile`,
  `open`, `getattr`, `setattr`, `delattr`, `hasattr`, `globals`, `vars`, `locals`, `dir`, `input`,
  `breakpoint`, `help`, `memoryview`, `super`, `exit`, `quit`;
- run with guarded attribute access (`guards`: the rules above again, plus: no module is ever
  returned, `date`/`datetime` `now`/`today`/`utcnow` are refused in favour of `now()`), item
  access, iteration, writes, in-place operators and sequence unpacking;
- builtins: len min max sum sorted abs round int float str bool list dict set tuple range
  enumerate zip any all isinstance slice, True False None; `date`, `datetime`, `timedelta`,
  `timezone`; `now()` (timezone-aware UTC, from the `now` callable given to `make_script_engine`, else
  the context clock of `engine.runtime.clock`); Exception ValueError TypeError KeyError IndexError
  ZeroDivisionError ArithmeticError LookupError.

Limits: `range` and every sequence built by `*`, `+`, `%`, f-string widths and the str methods
join/replace/ljust/rjust/center/zfill/expandtabs hold at most MAX_SIZE items; integers built
by `**`, `*`, `<<` at most MAX_INT_BITS bits; each evaluation gets `time_limit` seconds of wall
clock. The policy puts a `_tick_()` call at the top of every loop body, comprehension, function
and lambda, and `_tick_` raises once the deadline (thread-local, so any thread works) has
passed. The time-up signal is a BaseException that sandboxed code cannot catch, and every
later tick raises again. A sys.settrace trace function would not do: it sees no line events in
`while True: pass` (one line), is removed for good once it raises, costs about 1 us per traced
call, and would displace coverage's tracer.

After a script, the task data it leaves may hold at most MAX_DATA_ITEMS values (shared references
counted each time), so a case can always be saved (`script_engine`).

Isolation (`isolation`, `pool`, `worker`, `wire`): scripts and every expression that calls or may
build a big value run in a pool of worker processes, each capped at ONETHING_SCRIPT_MEMORY_MB (default
256) above its start-up size, killed and replaced when still busy at time limit + 0.5 s, so a single
long C-level call (`str([[0] * 999999] * 1000)`, sorting a million items) is stopped too and a growing
list ends in "the script used more than 256 MB of memory". The parent waits without the GIL and
unpickles only data. Comparisons of task data without calls (most gateway conditions) stay in-process.

Known risks left: the in-process expressions are bounded by the data they read (at most about 1 MB
after a script), not by a process; a worker is only as isolated as a separate process of the same
user with RLIMIT_AS and RLIMIT_CPU (no seccomp, namespaces or chroot), so code that escaped
RestrictedPython there could still read what that user can read or use the network; the memory
ceiling needs Linux (/proc/self/status), elsewhere workers run without it; each evaluation that goes
to a worker pickles the task data across (about 0.2-0.4 ms per condition, 0.6-0.9 ms per small script
on the reference machine, against 4-8 us and 0.1 ms in-process: bench/sandbox.py).
"""
from __future__ import annotations

from engine.runtime.sandbox.guards import MAX_INT_BITS, MAX_SIZE
from engine.runtime.sandbox.policy import MAX_SOURCE, check_source
from engine.runtime.sandbox.script_engine import (
    MAX_DATA_ITEMS,
    SandboxEnvironment,
    SandboxScriptEngine,
    make_script_engine,
    max_instances,
)

__all__ = ["MAX_DATA_ITEMS", "MAX_INT_BITS", "MAX_SIZE", "MAX_SOURCE", "SandboxEnvironment", "SandboxScriptEngine",
           "check_source", "make_script_engine", "max_instances"]

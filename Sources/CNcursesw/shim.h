#ifndef DIALTONE_CNCURSESW_SHIM_H
#define DIALTONE_CNCURSESW_SHIM_H
// The wide API needs these before curses.h; SwiftPM's pkgConfig would drop them.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Macros and globals that do not import into Swift (or that Swift 6 rejects as shared
// mutable state) get small accessors here.

static inline attr_t dt_A_NORMAL(void) { return A_NORMAL; }
static inline attr_t dt_A_BOLD(void) { return A_BOLD; }
static inline attr_t dt_A_DIM(void) { return A_DIM; }
static inline attr_t dt_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t dt_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline attr_t dt_A_COLOR(void) { return A_COLOR; }
static inline attr_t dt_COLOR_PAIR(int n) { return (attr_t)COLOR_PAIR(n); }
static inline int dt_KEY_F(int n) { return KEY_F(n); }

static inline WINDOW *dt_stdscr(void) { return stdscr; }
static inline int dt_COLORS(void) { return COLORS; }
static inline int dt_COLOR_PAIRS(void) { return COLOR_PAIRS; }
static inline FILE *dt_stdout(void) { return stdout; }
static inline FILE *dt_stdin(void) { return stdin; }
static inline int dt_LINES(void) { return LINES; }
static inline int dt_COLS(void) { return COLS; }

static inline void dt_getmaxyx(const WINDOW *win, int *y, int *x) {
    int yy, xx;
    getmaxyx(win, yy, xx);
    *y = yy;
    *x = xx;
}

/// Draws one grapheme cluster (base plus up to CCHARW_MAX-1 combining scalars, NUL-terminated)
/// with attributes and a colour pair. Returns OK or ERR.
static inline int dt_put_cluster(WINDOW *win, int y, int x, const wchar_t *wcs, attr_t attrs,
                                 int pair) {
    cchar_t cc;
    memset(&cc, 0, sizeof cc);
    if (setcchar(&cc, wcs, attrs, (NCURSES_PAIRS_T)pair, NULL) != OK) return ERR;
    return mvwadd_wch(win, y, x, &cc);
}

/// Reads back one cell: its scalars (out must hold CCHARW_MAX + 1), attributes and pair.
static inline int dt_read_cell(WINDOW *win, int y, int x, wchar_t *out, attr_t *attrs,
                               int *pair) {
    cchar_t cc;
    NCURSES_PAIRS_T p = 0;
    memset(&cc, 0, sizeof cc);
    if (mvwin_wch(win, y, x, &cc) != OK) return ERR;
    if (getcchar(&cc, out, attrs, &p, NULL) == ERR) return ERR;
    *pair = p;
    return OK;
}

/// The terminal size from the kernel (ioctl is variadic, so Swift cannot call it).
static inline int dt_winsize(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/// Terminal restore for fatal signals. Only async-signal-safe calls (write, tcsetattr, signal,
/// raise) run in the handler. The state is a function-local static (file-scope statics in this
/// header are not emitted by Swift's importer); install and restore must be called from a single
/// Swift file, because each object file gets its own copy.
struct dt_restore_state {
    char bytes[256];
    size_t len;
    struct termios saved;
    int fd;
    /// The write end of the run loop's signal pipe (-1: none).
    int wake_fd;
};

static inline struct dt_restore_state *dt_state(void) {
    static struct dt_restore_state state = {{0}, 0, {0}, -1, -1};
    return &state;
}

static inline void dt_restore_terminal(void) {
    struct dt_restore_state *st = dt_state();
    if (st->len > 0) {
        ssize_t ignored = write(STDOUT_FILENO, st->bytes, st->len);
        (void)ignored;
    }
    if (st->fd >= 0) tcsetattr(st->fd, TCSAFLUSH, &st->saved);
}

static inline void dt_fatal_handler(int sig) {
    dt_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

/// Saves the terminal modes of `fd`; call before initscr changes them.
static inline int dt_save_termios(int fd) {
    struct dt_restore_state *st = dt_state();
    if (tcgetattr(fd, &st->saved) != 0) return -1;
    st->fd = fd;
    return 0;
}

/// Sets the bytes written on restore (leave the alternate screen, show the cursor, reset colours).
static inline void dt_set_restore_bytes(const char *bytes, size_t len) {
    struct dt_restore_state *st = dt_state();
    if (len > sizeof st->bytes) len = sizeof st->bytes;
    memcpy(st->bytes, bytes, len);
    st->len = len;
}

/// Installs the restore handler for crashes (SEGV, BUS, ILL, FPE, ABRT, TRAP).
static inline void dt_install_fatal_handlers(void) {
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = dt_fatal_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sigs[i], &sa, NULL);
    }
}

/// Puts the crash signals back to their default action.
static inline void dt_remove_fatal_handlers(void) {
    int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
}

/// The signals the run loop takes (SIGINT, SIGTERM, SIGHUP, SIGWINCH): the handler counts each
/// one and writes a byte to the loop's pipe, which the loop polls with the terminal. Counts, not
/// bytes, carry the signals, so a full pipe can never lose one.
static inline int dt_wake_slot(int sig) {
    switch (sig) {
    case SIGINT: return 0;
    case SIGTERM: return 1;
    case SIGHUP: return 2;
    case SIGWINCH: return 3;
    default: return -1;
    }
}

/// Adds one to a slot's count (take 0) or takes the count, leaving 0 (take 1).
static inline int dt_wake_count(int slot, int take) {
    static _Atomic int counts[4];
    if (slot < 0 || slot > 3) return 0;
    if (take) return atomic_exchange(&counts[slot], 0);
    return atomic_fetch_add(&counts[slot], 1);
}

/// Tenths of a second on the monotonic clock, plus one (0 means "none").
static inline long long dt_wake_now_ds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 10 + ts.tv_nsec / 100000000 + 1;
}

/// When the oldest terminating signal the loop has not taken arrived: `set` records `now` unless
/// one is already waiting and returns the earlier time (0: none); `set` 0 clears it.
static inline long long dt_wake_untaken(int set, long long now) {
    static _Atomic long long since;
    if (!set) return atomic_exchange(&since, 0);
    long long none = 0;
    if (atomic_compare_exchange_strong(&since, &none, now)) return 0;
    return none;
}

static inline void dt_wake_handler(int sig) {
    int saved = errno;
    dt_wake_count(dt_wake_slot(sig), 0);
    if (sig != SIGWINCH) {
        // A terminating signal the loop has not taken for two seconds means the loop is stuck:
        // the next one restores the terminal and ends the process, as a crash does.
        long long now = dt_wake_now_ds();
        long long first = dt_wake_untaken(1, now);
        if (first != 0 && now - first >= 20) {
            dt_restore_terminal();
            signal(sig, SIG_DFL);
            raise(sig);
            errno = saved;
            return;
        }
    }
    int fd = dt_state()->wake_fd;
    if (fd >= 0) {
        unsigned char b = (unsigned char)sig;
        ssize_t ignored = write(fd, &b, 1);  // full pipe: a wake is already waiting
        (void)ignored;
    }
    errno = saved;
}

/// Routes SIGINT, SIGTERM, SIGHUP and SIGWINCH to the counting handler; bytes go to `wake_fd`.
static inline void dt_install_wake_handlers(int wake_fd) {
    dt_state()->wake_fd = wake_fd;
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        dt_wake_count(dt_wake_slot(sigs[i]), 1);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = dt_wake_handler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(sigs[i], &sa, NULL);
    }
    dt_wake_untaken(0, 0);
    // A mask inherited from the parent (a test runner's worker thread, a supervisor) may block
    // these; blocked, a resize or a SIGTERM would never reach the loop.
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&set, sigs[i]);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/// Puts those signals back to their default action.
static inline void dt_remove_wake_handlers(void) {
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
    dt_state()->wake_fd = -1;
}

/// True when the current LC_CTYPE uses UTF-8 (call after setlocale).
static inline int dt_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

#endif

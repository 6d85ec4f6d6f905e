#ifndef DIALTONE_CNCURSESW_SHIM_H
#define DIALTONE_CNCURSESW_SHIM_H
// The wide API needs these before curses.h; SwiftPM's pkgConfig would drop them.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
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
};

static inline struct dt_restore_state *dt_state(void) {
    static struct dt_restore_state state = {{0}, 0, {0}, -1};
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

/// True when the current LC_CTYPE uses UTF-8 (call after setlocale).
static inline int dt_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

#endif

#ifndef DIALTONE_CNCURSESW_SHIM_H
#define DIALTONE_CNCURSESW_SHIM_H
// The wide API needs these before curses.h; SwiftPM's pkgConfig would drop them.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>
#endif

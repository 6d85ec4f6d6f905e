import ArgumentParser
import Console
import ConsoleRuntime
import CursesBackend
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Notify
import TermGrid

#if canImport(Glibc)
import Glibc
#endif

/// Display options shared by `open` and `console`.
struct ConsoleDisplayOptions: ParsableArguments {
    @Flag(help: "Draw with ASCII only (automatic when the locale is not UTF-8).") var ascii = false
    @Option(help: "Theme name (default, light, colorblind, mono, ...) or a theme file.") var theme: String?
    @Option(help: "Seconds without a line from a stack's sources before its panel turns NO DATA.")
    var staleAfter: Double = FreshnessConfig().staleAfterSeconds

    func validate() throws {
        guard staleAfter.isFinite, staleAfter > 0 else {
            throw ValidationError("--stale-after: \(staleAfter) is not a positive number of seconds")
        }
    }
}

/// `dialtone open TITLE [--sev N] [--log SPEC ...] [--playbook P]`
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open", abstract: "Create an incident and open the full-screen console on it.",
        discussion: SourceSpec.syntaxHelp)
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident title.") var title: String
    @Option(help: "Severity 1-4 (SEV-1 is a complete outage).") var sev: Int?
    @Option(help: "Playbook name or path.") var playbook: String = "voice-agent"
    @Option(name: .customLong("log"), help: "A log source (repeatable): PATH, cmd:COMMAND, FORMAT:PATH.") var logs: [String] = []
    @OptionGroup var display: ConsoleDisplayOptions

    func run() throws {
        let start = monotonic()
        var setup: ConsoleSetup?
        var loaded: LoadedIncident?
        try dialtone.run {
            let specs = try ConsoleStart.parseSpecs(logs)
            let store = try opts.store()
            let pb = try PlaybookLocator.standard(opts.environment).load(playbook)
            var rng = SystemRandomNumberGenerator()
            let id = try store.create(
                title: title, severity: sev, playbook: pb.playbook, playbookYAML: pb.yaml, overlayYAML: pb.overlay?.yaml,
                sources: specs.map(\.description), actor: opts.who, now: now(), rng: &rng)
            loaded = try store.load(id)
            // The console, once it holds the writer lock, sends the declaration.
            if let opened = loaded?.state.events.first, let cfg = Outbound.config(opts.environment) {
                _ = try? OutboxSender.enqueue(opened, store: store, id: id, config: cfg, now: now())
            }
            setup = try ConsoleStart.setup(store: store, id: id, opts: opts, display: display, sources: specs, offered: [])
        }
        if let setup, let loaded { try ConsoleStart.run(setup, loaded, start: start) }
    }
}

/// `dialtone console [ID] [--log SPEC ...]`
struct ConsoleAttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Open the full-screen console on an existing incident (the only open one when no id is given).",
        discussion: """
            File sources the incident was opened with are attached again. Remembered cmd: sources are
            only offered: they run after you confirm them, since the journal is group-writable.

            """ + SourceSpec.syntaxHelp)
    @OptionGroup var opts: IncidentOptions
    @Argument(help: "Incident id or unique prefix.") var id: String?
    @Option(name: .customLong("log"), help: "Another log source (repeatable).") var logs: [String] = []
    @OptionGroup var display: ConsoleDisplayOptions

    func run() throws {
        let start = monotonic()
        var setup: ConsoleSetup?
        var loaded: LoadedIncident?
        try dialtone.run {
            let given = try ConsoleStart.parseSpecs(logs)
            let store = try opts.store()
            let resolved = try store.resolve(id)
            let inc = try store.load(resolved)
            var sources = given
            var offered: [String] = []
            for text in inc.state.sources {
                // A remembered spec that no longer parses is reported, not fatal.
                guard let spec = try? SourceSpec.parse(text) else { continue }
                if sources.contains(where: { $0.description == spec.description }) { continue }
                switch spec.kind {
                case .file: sources.append(spec)
                case .command: offered.append(spec.description)
                case .stdin: break  // the opener's standard input is not ours to read
                }
            }
            loaded = inc
            setup = try ConsoleStart.setup(store: store, id: resolved, opts: opts, display: display, sources: sources, offered: offered)
            setup?.readIn = !inc.state.isResolved
        }
        if let setup, let loaded { try ConsoleStart.run(setup, loaded, start: start) }
    }
}

/// Shared start-up for `open` and `console`.
enum ConsoleStart {
    static func parseSpecs(_ texts: [String]) throws -> [SourceSpec] {
        try texts.map { text in
            let spec: SourceSpec
            do {
                spec = try SourceSpec.parse(text)
            } catch {
                throw StoreError("--log \(String(describing: error))")
            }
            if spec.kind == .stdin {
                throw StoreError("--log -: standard input is the keyboard in the console; follow a file or use --log cmd:COMMAND")
            }
            return spec
        }
    }

    static func setup(
        store: IncidentStore, id: String, opts: IncidentOptions, display: ConsoleDisplayOptions, sources: [SourceSpec],
        offered: [String]
    ) throws -> ConsoleSetup {
        let env = opts.environment
        let config = try Config.load(files: env.configFiles)
        var notices: [String] = []
        let themeName = display.theme ?? config.theme ?? "default"
        let dirs = ThemeLoader.userThemeDirectory(environment: env.env).map { [$0] } ?? []
        let (theme, warnings) = ThemeLoader.load(themeName, searchDirs: dirs)
        notices += warnings
        let ascii = display.ascii || !CursesScreen.localeIsUTF8()
        var setup = ConsoleSetup(
            store: store, id: id, actor: opts.who, sources: sources, offered: offered, ascii: ascii, theme: theme,
            keys: config.keys, notices: notices)
        setup.freshness.staleAfterSeconds = display.staleAfter
        setup.environment = env.env
        return setup
    }

    /// The other playbooks `:checklist NAME` can attach; one that fails to load is left out
    /// (the headless `dialtone checklist` reports why).
    static func library() -> [Playbook] {
        let loc = PlaybookLocator.standard(.current())
        return loc.available().compactMap { try? loc.load($0).playbook }
    }

    static func run(_ setup: ConsoleSetup, _ loaded: LoadedIncident, start: Double) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw fail("the console needs a terminal (incident \(setup.id) is ready; use the headless commands from scripts)")
        }
        // A console stays open for hours beside a log flood, its threads allocating and freeing
        // lines: glibc's default of 8 malloc arenas per core let RSS creep by a sixth over the
        // first minutes of scripts/soak.sh (111 -> 127 MiB); two arenas held it to +9%. Set
        // before the ingest threads start.
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 2)
        var setup = setup
        setup.library = library()
        if setup.notify {
            do {
                setup.notifyConfig = try NotifyConfig.load(Config.load(files: DialtoneEnvironment(env: setup.environment).configFiles))
            } catch {
                setup.notifyProblems.append("notify: \(error); nothing will be sent")
            }
        }
        let screen: CursesScreen
        do {
            screen = try CursesScreen(ascii: setup.ascii, theme: setup.theme)
        } catch {
            throw fail(String(describing: error))
        }
        let runner = ConsoleRunner(
            setup: setup, loaded: loaded, screen: screen, bench: BenchLog.fromEnvironment(setup.environment, startTime: start))
        if case .signal(let sig) = runner.run() {
            // The terminal is back and the journal synced: end by the same signal, so a parent
            // shell sees why (_exit if it is somehow blocked).
            signal(sig, SIG_DFL)
            kill(getpid(), sig)
            usleep(200_000)
            _exit(128 + sig)
        }
        for n in setup.notices { FileHandle.standardError.write(Data(("dialtone: warning: " + Sanitize.line(n) + "\n").utf8)) }
        out("left the console; incident \(setup.id) (dialtone console \(setup.id) to return)")
    }
}

/// glibc's `mallopt` (malloc.h is not in the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32

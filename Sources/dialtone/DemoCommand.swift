import ArgumentParser
import ConsoleRuntime
import Foundation
import IncidentCore
import IncidentStore
import Ingest
import Simulator

#if canImport(Glibc)
import Glibc
#endif

/// `dialtone demo`: a simulated voice-agent fleet living through an incident, opened in the
/// console through the same ingestion path a real incident uses. A rehearsal, not a recording:
/// when the responder records the mitigation the scenario calls for, the fleet recovers.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Rehearse an incident on a simulated voice-agent fleet in the full-screen console.",
        discussion: """
            Writes the fleet's logs (turn JSON, sipp trace, LiveKit metrics, carrier callbacks) into a
            temporary directory, creates a demo incident there and opens the console on it. Five minutes
            of healthy history are written at once, so the lights are right from the first second; the
            failure starts about 45 seconds of fleet time later and unfolds over two to three minutes.
            Tick the scenario's resolution step (or record the mitigated milestone) and the fleet recovers.
            """)

    @Option(help: "Scenario (see --list).") var scenario: String = "sip-trunk-503"
    @Option(help: "Fleet time per wall-clock second (2 runs twice as fast).") var speed: Double = 1
    @Option(help: "Seed for the simulation.") var seed: UInt64 = 1
    @Flag(help: "List the scenarios and exit.") var list = false
    @Option(help: "Directory for the demo's logs and incident (default: a new temporary directory).") var dir: String?
    @Option(name: .customLong("as"), help: "Record actions as this login.") var actor: String?
    @OptionGroup var display: ConsoleDisplayOptions

    /// Fleet time before the failure starts, after the pre-written history.
    static let leadIn = 45.0
    static let history = 300.0

    func run() throws {
        if list {
            let width = Scenario.all.map(\.name.count).max() ?? 0
            for s in Scenario.all { out(s.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + s.summary) }
            return
        }
        let start = monotonic()
        var setup: ConsoleSetup?
        var loaded: LoadedIncident?
        var driver: DemoDriver?
        try IncidentCLI.run {
            guard let sc = Scenario.named(scenario) else {
                throw ValidationError("--scenario: unknown scenario \"\(scenario)\" (known: \(Scenario.names.joined(separator: ", ")))")
            }
            guard speed.isFinite, speed > 0, speed <= 100 else { throw ValidationError("--speed: \(speed) is not between 0 and 100") }
            let base = try dir ?? makeTempDirectory()
            try makeDirectories(base + "/logs", mode: 0o700)
            // The fleet writes its SIP trace in UTC; the demo reads it that way.
            setenv("TZ", "UTC", 1)
            tzset()
            var opts = try IncidentOptions.parse([])
            opts.dir = base + "/incidents"
            opts.actor = actor
            let store = try opts.store()
            // The demo's outcome is the scenario's: a team's thresholds overlay is not read.
            var locator = PlaybookLocator.standard(opts.environment)
            locator.overlayDir = nil
            let pb = try locator.load("voice-agent")
            let logs = base + "/logs"
            let specs = try FleetFile.allCases.map { try SourceSpec.parse($0.sourceSpec(in: logs)) }
            let t0 = processClock.wallSeconds()
            let d = try DemoDriver(scenario: sc, seed: seed, speed: speed, logs: logs, wallStart: t0, history: Self.history, leadIn: Self.leadIn)
            d.writeHistory()
            var rng = SystemRandomNumberGenerator()
            let id = try store.create(
                title: "Demo: \(sc.name)", severity: nil, playbook: pb.playbook, playbookYAML: pb.yaml,
                sources: specs.map(\.description), actor: opts.who, rng: &rng)
            d.watch(journal: JournalTail(store: store, id: id))
            d.start()
            driver = d
            loaded = try store.load(id)
            setup = try ConsoleStart.setup(store: store, id: id, opts: opts, display: display, sources: specs, offered: [])
            // The fleet's clock runs `speed` times faster: its logs are live in fleet time.
            setup?.clock = { [d] in d.fleetTime(processClock.wallSeconds()) }
            // A rehearsal never reaches Slack, a pager or a status page.
            setup?.notify = false
        }
        defer { driver?.stop() }
        if let setup, let loaded {
            try ConsoleStart.run(setup, loaded, start: start)
            let base = String(setup.store.root.dropLast("/incidents".count))
            out("demo logs and incident kept in \(base); postmortem draft: dialtone export --dir \(setup.store.root) \(setup.id)")
        }
    }

    func makeTempDirectory() throws -> String {
        let pattern = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/dialtone-demo-XXXXXX"
        var template = Array(pattern.utf8CString)
        guard let p = mkdtemp(&template) else { throw CommandError.io("cannot create a temporary directory for the demo", pattern) }
        return String(cString: p)
    }
}

/// Runs the fleet on its own thread: steps it to fleet time, appends its lines to the log files,
/// and reads the incident journal for the mitigation the scenario calls for.
final class DemoDriver: @unchecked Sendable {
    private let fleet: Fleet
    private let buffer = FleetBuffer()
    private let speed: Double
    private let wallStart: Double
    private var fds: [FleetFile: Int32] = [:]
    private var journal: JournalTail?
    private var responded: Set<String> = []
    private let stopped = StopFlag()
    private var thread: Thread?

    init(scenario: Scenario, seed: UInt64, speed: Double, logs: String, wallStart: Double, history: Double, leadIn: Double) throws {
        self.speed = speed
        self.wallStart = wallStart
        fleet = Fleet(scenario: scenario, seed: seed, start: wallStart - history, onset: wallStart + leadIn)
        for f in FleetFile.allCases {
            let fd = open(logs + "/" + f.fileName, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw CommandError.io("cannot create demo log", logs + "/" + f.fileName) }
            fds[f] = fd
        }
    }

    deinit { for fd in fds.values { close(fd) } }

    /// Fleet time for a wall-clock time: history is behind `wallStart`, then `speed` x real time.
    func fleetTime(_ wall: Double) -> Double { wallStart + (wall - wallStart) * speed }

    func writeHistory() { stepAndFlush(to: wallStart) }

    func watch(journal: JournalTail) { self.journal = journal }

    func start() {
        let t = Thread { [self] in
            var lastJournalCheck = 0.0
            while !stopped.isSet {
                let wall = processClock.wallSeconds()
                stepAndFlush(to: fleetTime(wall))
                if wall - lastJournalCheck >= 0.5 {
                    lastJournalCheck = wall
                    checkJournal()
                }
                usleep(200_000)
            }
        }
        t.start()
        thread = t
    }

    func stop() { stopped.set() }

    private func stepAndFlush(to time: Double) {
        fleet.step(to: time, into: buffer)
        for f in FleetFile.allCases {
            let text = buffer.take(f)
            guard !text.isEmpty, let fd = fds[f] else { continue }
            var copy = text
            copy.withUTF8 { b in
                var off = 0
                while off < b.count {
                    let n = write(fd, b.baseAddress! + off, b.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
        }
    }

    /// A rehearsal: the right resolution step or milestone, once journaled, heals the fleet.
    private func checkJournal() {
        guard let journal, let update = try? journal.poll() else { return }
        let events: [JournalEvent]
        switch update {
        case .events(let new): events = new
        case .reset(let s): events = s.events
        }
        for e in events where !responded.contains(e.id) {
            responded.insert(e.id)
            if e.kind == .itemTicked, let item = e.text("item") { fleet.respond(toStep: item) }
            if e.kind == .milestone, let m = e.text("milestone") { fleet.respond(toMilestone: m) }
        }
    }
}

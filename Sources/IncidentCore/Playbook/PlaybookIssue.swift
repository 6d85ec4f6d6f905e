/// One problem found in a playbook file, pointing at the line and column it comes from.
public struct PlaybookIssue: Sendable, Equatable, Error, CustomStringConvertible {
    /// The file name or path the YAML came from, as given to the loader.
    public var file: String
    /// 1-based line of the offending key or value.
    public var line: Int
    /// 1-based column (counted in Unicode scalars, as libyaml does).
    public var column: Int
    /// One line, saying what is wrong and, where it helps, what was expected.
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`, the form compilers use so editors can jump to it.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Thrown by `PlaybookLoader.load` when the file has any issue; carries all of them.
public struct PlaybookLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every issue found, ordered by position in the file.
    public var issues: [PlaybookIssue]

    public init(issues: [PlaybookIssue]) { self.issues = issues }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

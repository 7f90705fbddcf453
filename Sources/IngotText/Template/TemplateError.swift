/// Why a chat template could not be parsed or rendered: one error, naming the construct and the template line.
///
/// `kind` lets callers tell a template that deliberately refused its input (`raised`, the message exactly as the
/// template passed it to `raise_exception`) from a template Ingot cannot run (`unsupported`) or a broken one.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The template text does not parse (unbalanced tags, bad expression).
        case syntax
        /// A tag, filter, test, method or global that Ingot does not implement.
        case unsupported
        /// The template called `raise_exception(message)`.
        case raised
        /// An undefined value was called, indexed or used in arithmetic (jinja2's `UndefinedError`).
        case undefined
        /// An operation on values of the wrong type, a bad argument, division by zero.
        case type
        /// A safety limit: steps, output size, nesting depth, range size.
        case limit
    }

    public let kind: Kind
    public let message: String
    /// 1-based line in the template source; nil when the error is not tied to one place.
    public let line: Int?

    public init(_ kind: Kind, _ message: String, line: Int? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
    }

    public var description: String {
        let place = line.map { "line \($0): " } ?? ""
        switch kind {
        case .raised: return "chat template raised an exception (\(place)\(message))"
        default: return "chat template \(kind.rawValue) error: \(place)\(message)"
        }
    }

    /// The same error tied to `line` when it has none yet (errors from value helpers learn their line here).
    func at(_ line: Int) -> TemplateError { self.line == nil ? TemplateError(kind, message, line: line) : self }
}

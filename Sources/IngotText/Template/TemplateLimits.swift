/// Caps that keep a hostile or buggy template from running forever or exhausting memory or the stack.
/// Real chat templates stay far below every one of them.
public struct TemplateLimits: Sendable, Equatable {
    /// Evaluation steps per render: one per expression node, statement and loop iteration, plus one per 256 bytes
    /// or 16 elements a string or list operation copies (so doubling a string in a loop is charged for its work).
    public var maxSteps: Int
    /// Bytes of rendered output, and of any single string a template builds.
    public var maxOutputBytes: Int
    /// Items of any single list a template builds.
    public var maxItems: Int
    /// Nesting of evaluation at render time (expressions inside statements inside macro calls); the render
    /// thread's stack is sized from it. (Values nested deeper than `TemplateValue.maxNesting`, 256, are refused
    /// when printed, compared or serialised.)
    public var maxDepth: Int
    /// Nested macro calls (recursion).
    public var maxCallDepth: Int
    /// Elements `range()` may produce: jinja2's sandbox refuses more than 100,000 too (`MAX_RANGE`).
    public var maxRange: Int

    public init(
        maxSteps: Int = 10_000_000, maxOutputBytes: Int = 16 << 20, maxItems: Int = 1 << 21, maxDepth: Int = 500,
        maxCallDepth: Int = 100, maxRange: Int = 100_000
    ) {
        self.maxSteps = maxSteps
        self.maxOutputBytes = maxOutputBytes
        self.maxItems = maxItems
        self.maxDepth = maxDepth
        self.maxCallDepth = maxCallDepth
        self.maxRange = maxRange
    }

    /// Parse-time caps: nesting of block tags (100) and of expressions (twice that). A deeper template is refused
    /// before it runs.
    static let maxParseDepth = 100
}

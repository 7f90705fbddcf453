/// Called as a pipeline works through its items: `done` of `total` items finished or started, `item` naming the
/// current one (a tensor, or "reference"/"candidate"). Called on the caller's thread, between items; pipelines never
/// write progress anywhere themselves.
public typealias ProgressHandler = (_ done: Int, _ total: Int, _ item: String) -> Void

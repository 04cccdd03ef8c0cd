//! What the crate logs, captured.

/// Log output captured while running `f`, at every level: the events `f` emits on this thread.
///
/// One global subscriber, installed on first use, formats every event and writes it to the
/// capturing thread's buffer (or nowhere). A scoped subscriber per test (`with_default`) lost
/// events now and then: with tests running in parallel, a log line first reached on another
/// thread while this one's subscriber was being installed could keep an interest computed
/// without it, and its events were skipped. With a single global subscriber interested in
/// everything, every callsite is always enabled.
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    use std::cell::RefCell;
    use std::sync::Once;

    thread_local! {
        static CAPTURED: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    }
    /// Writes to this thread's capture buffer when one is open, and drops the bytes otherwise.
    struct ToCapture;
    impl std::io::Write for ToCapture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            CAPTURED.with(|captured| {
                if let Some(bytes) = captured.borrow_mut().as_mut() {
                    bytes.extend_from_slice(buf);
                }
            });
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(|| ToCapture)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in the test binary");
    });

    CAPTURED.with(|captured| *captured.borrow_mut() = Some(Vec::new()));
    let result = f();
    let bytes = CAPTURED.with(|captured| captured.borrow_mut().take().unwrap_or_default());
    (result, String::from_utf8(bytes).unwrap())
}

/// `future` run to its end on a runtime of this thread, and the log output it produced (see
/// [`capture_logs`]): for requests sent through a layer in process.
pub fn capture_logs_of<F: std::future::Future>(future: F) -> (F::Output, String) {
    capture_logs(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    })
}

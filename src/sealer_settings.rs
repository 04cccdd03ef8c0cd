//! The settings both sealers ([`Sealer`](crate::Sealer) and, with the `fastify` feature,
//! `FastifySealer`) have alike: the keys, the cookie name's error-returning setter, the clock
//! and the size limit, with their accessors, and opening at the clock's time. Written once here, as the inherent methods each
//! sealer type takes in (so that callers need no trait in scope); each type keeps its own
//! fields `ring`, `cookie_name`, `clock` and `max_cookie_size`.

/// The shared setters and accessors, expanded inside each sealer's `impl` block.
macro_rules! sealer_settings {
    () => {
        /// The cookie name, refusing an invalid one with an error.
        pub fn try_cookie_name(mut self, name: &str) -> Result<Self, ConfigError> {
            self.cookie_name = checked_cookie_name(name)?;
            Ok(self)
        }

        /// Where the sealer reads the time; the system clock by default.
        pub fn clock(mut self, clock: impl Clock) -> Self {
            self.clock = Arc::new(clock);
            self
        }

        /// The largest cookie, name plus value as sent, that [`seal`](Self::seal) produces
        /// and [`open`](Self::open) reads. Default and browser limit: 4096 bytes.
        ///
        /// # Warning
        /// Browsers silently drop cookies over 4096 bytes. Raise this only where something
        /// other than a browser carries the value, or where the value is split over several
        /// cookies ([`SessionCookie::chunked`](crate::SessionCookie::chunked)).
        pub fn max_cookie_size(mut self, bytes: usize) -> Self {
            self.max_cookie_size = bytes;
            self
        }

        /// The keys: the primary seals, each opens what it sealed.
        pub fn ring(&self) -> &KeyRing {
            &self.ring
        }

        /// The cookie name.
        pub fn name(&self) -> &str {
            &self.cookie_name
        }

        /// The current time by the sealer's clock, in unix seconds.
        pub fn now(&self) -> u64 {
            self.clock.now()
        }

        /// Open a cookie value and decode it into `T`, at the time of the sealer's clock:
        /// [`open_at`](Self::open_at) now.
        pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<Opened<T>, OpenError> {
            self.open_at(value, self.clock.now())
        }

        /// The longest value (without the name) that opens.
        pub fn max_value_len(&self) -> usize {
            self.max_cookie_size.saturating_sub(self.cookie_name.len())
        }
    };
}

pub(crate) use sealer_settings;

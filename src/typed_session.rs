//! [`TypedSession`]: a session that holds one serde value.

use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{Codec, DefaultCodec};
use crate::error::{CodecError, SessionError};
use crate::session::Session;

/// A session that holds one value of type `T`: for apps that keep their session as one struct.
///
/// The value is stored as a single entry under [`TypedSession::KEY`] (`"data"`) of the
/// underlying [`Session`], so it shares the cookie and the change rules of that session, and
/// other entries (a flash message, say) can sit beside it. With the JSON codec the cookie holds
/// `{"data": {...}}`.
///
/// # Example
/// ```
/// use sealed_session::{Session, TypedSession};
///
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq, Default)]
/// struct Cart { items: Vec<u32> }
///
/// let cart: TypedSession<Cart> = TypedSession::new(Session::default());
/// assert_eq!(cart.get()?, None);
/// cart.set(&Cart { items: vec![1] })?;
/// cart.update(|cart| cart.items.push(2))?;
/// assert_eq!(cart.get()?, Some(Cart { items: vec![1, 2] }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TypedSession<T, C: Codec = DefaultCodec> {
    session: Session<C>,
    value: PhantomData<fn() -> T>,
}

impl<T, C: Codec> Clone for TypedSession<T, C> {
    fn clone(&self) -> Self {
        Self {
            session: self.session.clone(),
            value: PhantomData,
        }
    }
}

impl<T, C: Codec> fmt::Debug for TypedSession<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TypedSession").field(&self.session).finish()
    }
}

impl<T, C: Codec> TypedSession<T, C> {
    /// The entry key the value is stored under.
    pub const KEY: &'static str = "data";

    /// The typed view of `session`.
    pub fn new(session: Session<C>) -> Self {
        Self {
            session,
            value: PhantomData,
        }
    }

    /// Remove the value; true if there was one.
    pub fn remove(&self) -> bool {
        self.session.remove(Self::KEY)
    }

    /// The underlying session, for [`destroy`](Session::destroy),
    /// [`regenerate`](Session::regenerate) and the other operations.
    pub fn session(&self) -> &Session<C> {
        &self.session
    }

    /// The underlying session, by value.
    pub fn into_session(self) -> Session<C> {
        self.session
    }
}

impl<T: Serialize + DeserializeOwned, C: Codec> TypedSession<T, C> {
    /// The value, if one is stored; an error if what is stored does not decode as `T`.
    pub fn get(&self) -> Result<Option<T>, CodecError> {
        self.session.get(Self::KEY)
    }

    /// Store the value.
    pub fn set(&self, value: &T) -> Result<(), SessionError> {
        self.session.insert(Self::KEY, value)
    }

    /// Change the stored value in place, starting from `T::default()` if there is none, and
    /// return the new value.
    pub fn update(&self, f: impl FnOnce(&mut T)) -> Result<T, SessionError>
    where
        T: Default,
    {
        let mut value = self.get()?.unwrap_or_default();
        f(&mut value);
        self.set(&value)?;
        Ok(value)
    }
}

//! A call's positional parameters, read with the lenience clients need
//! (ids as strings or ints, `<nil/>` as absent) and a −32602 fault naming
//! the position when one is missing or of the wrong type.

use super::fault::Fault;
use super::value::Value;

pub struct Params<'a> {
    pub method: &'a str,
    pub values: &'a [Value],
}

impl<'a> Params<'a> {
    fn missing(&self, at: usize, what: &str) -> Fault {
        Fault::bad_params(format!(
            "{}: parameter {} ({what}) is missing; insufficient arguments passed to this XML-RPC method.",
            self.method,
            at + 1
        ))
    }

    fn wrong(&self, at: usize, what: &str, found: &Value) -> Fault {
        Fault::bad_params(format!(
            "{}: parameter {} ({what}) must be {what}, not {}",
            self.method,
            at + 1,
            found.type_name()
        ))
    }

    /// The value at `at`, `None` when absent or `<nil/>`.
    pub fn get(&self, at: usize) -> Option<&'a Value> {
        self.values.get(at).filter(|v| !matches!(v, Value::Nil))
    }

    pub fn text(&self, at: usize, what: &str) -> Result<String, Fault> {
        let value = self.get(at).ok_or_else(|| self.missing(at, what))?;
        value.as_text().ok_or_else(|| self.wrong(at, what, value))
    }

    pub fn id(&self, at: usize, what: &str) -> Result<i64, Fault> {
        let value = self.get(at).ok_or_else(|| self.missing(at, what))?;
        value.as_int().ok_or_else(|| self.wrong(at, what, value))
    }

    pub fn optional_int(&self, at: usize, what: &str) -> Result<Option<i64>, Fault> {
        match self.get(at) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(value) => value
                .as_int()
                .map(Some)
                .ok_or_else(|| self.wrong(at, what, value)),
        }
    }

    pub fn optional_bool(&self, at: usize, what: &str) -> Result<Option<bool>, Fault> {
        match self.get(at) {
            None => Ok(None),
            Some(value) => value
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.wrong(at, what, value)),
        }
    }

    pub fn structure(&self, at: usize, what: &str) -> Result<&'a Value, Fault> {
        let value = self.get(at).ok_or_else(|| self.missing(at, what))?;
        match value {
            Value::Struct(_) => Ok(value),
            other => Err(self.wrong(at, "a struct", other)),
        }
    }

    pub fn optional_struct(&self, at: usize, what: &str) -> Result<Option<&'a Value>, Fault> {
        match self.get(at) {
            None => Ok(None),
            Some(Value::Struct(_)) => Ok(self.get(at)),
            // PHP's empty array, sent for an empty filter.
            Some(Value::Array(items)) if items.is_empty() => Ok(None),
            Some(other) => Err(self.wrong(at, what, other)),
        }
    }

    pub fn array(&self, at: usize, what: &str) -> Result<&'a [Value], Fault> {
        let value = self.get(at).ok_or_else(|| self.missing(at, what))?;
        match value {
            Value::Array(items) => Ok(items),
            other => Err(self.wrong(at, "an array", other)),
        }
    }
}

//! WordPress-compatible XML-RPC (`POST /xmlrpc.php`), the door MarsEdit,
//! Open Live Writer, Word and older WordPress apps publish through.
//! `codec` reads and writes the wire format, `value` the values, `fault`
//! WordPress's fault codes.

pub mod blogs;
pub mod codec;
pub mod discovery;
pub mod fault;
pub mod media;
pub mod params;
pub mod posts;
pub mod routes;
pub mod server;
pub mod terms;
pub mod value;
pub mod wp;

pub use codec::{MethodCall, parse_call, write_fault, write_response};
pub use fault::Fault;
pub use value::{Date, Value, Zone};

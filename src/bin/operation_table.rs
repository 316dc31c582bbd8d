//! Prints the operation table as JSON (`aliyun_caster::operations::table_json`): the build writes
//! it into `dist/operations.js`, which the JS client, the worker, the emulator and the page read.

fn main() -> Result<(), serde_json::Error> {
    println!("{}", aliyun_caster::operations::table_json()?);
    Ok(())
}

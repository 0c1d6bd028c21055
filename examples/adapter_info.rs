//! Prints the native WebGPU adapter webgrad picks (lavapipe on CI), or fails when there is none.

fn main() {
    match pollster::block_on(webgrad::Device::webgpu()) {
        Ok(device) => println!("native WebGPU adapter: {}", device.name()),
        Err(e) => {
            eprintln!("native WebGPU adapter: none ({e})");
            std::process::exit(1);
        }
    }
}

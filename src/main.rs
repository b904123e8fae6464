fn main() -> std::process::ExitCode {
    iamlint::cli::main()
}

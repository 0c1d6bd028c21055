//! The primitive ops every backend implements; every other op is composed from these in
//! `src/ops/`, so a new backend writes few kernels. The unary and binary ops have their own tables, in `unary.rs` and `binary.rs`.

pub use super::binary::BinaryOp;
pub use super::unary::{GradDomain, UnaryOp};

/// Declares an op enum and its `ALL` list (and names) from one table, so that a new variant is in
/// `ALL` and has a name by construction: `ALL` drives shader validation, the exhaustive tests and
/// `from_name`.
macro_rules! op_table {
    ($(#[$meta:meta])* pub enum $ty:ident -> $name_ty:ty { $($(#[$vmeta:meta])* $variant:ident => $name:expr,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($(#[$vmeta])* $variant,)+
        }

        impl $ty {
            /// Every op, in declaration order (generated with the enum).
            pub const ALL: [$ty; [$(stringify!($variant)),+].len()] = [$($ty::$variant),+];

            fn table_name(self) -> $name_ty {
                match self {
                    $($ty::$variant => $name,)+
                }
            }
        }
    };
}

op_table! {
    /// Reductions. `Sum`, `Prod`, `Max`, `Min` keep the dtype (f32 or i32); `ArgMax`/`ArgMin` reduce
    /// one axis to i32 positions (the first one on ties; NaN counts as the largest).
    pub enum ReduceOp -> &'static str {
        Sum => "sum",
        Prod => "prod",
        Max => "max",
        Min => "min",
        ArgMax => "argMax",
        ArgMin => "argMin",
    }
}

impl ReduceOp {
    /// The op's name in error messages (`"sum"`, `"argMax"`, …).
    pub fn name(self) -> &'static str {
        self.table_name()
    }
}

op_table! {
    /// An activation fused into a matmul's epilogue: one whose derivative follows from its output, so
    /// backward needs no pre-activation copy.
    pub enum Activation -> &'static str {
        Identity => "linear",
        Relu => "relu",
        Sigmoid => "sigmoid",
        Tanh => "tanh",
    }
}

impl Activation {
    /// The activation's name (Keras's, `"linear"` for none).
    pub fn name(self) -> &'static str {
        self.table_name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `ALL` is generated from the same table as the enum, so it lists every variant; this checks
    /// that it lists each once and that every name round-trips through `from_name`.
    #[test]
    fn every_op_is_in_all_once_and_its_name_round_trips() {
        for (i, op) in UnaryOp::ALL.iter().enumerate() {
            assert!(!UnaryOp::ALL[..i].contains(op), "{op:?} twice");
            if let Some(name) = op.name() {
                assert_eq!(UnaryOp::from_name(name), Some(*op));
            }
        }
        for (i, op) in BinaryOp::ALL.iter().enumerate() {
            assert!(!BinaryOp::ALL[..i].contains(op), "{op:?} twice");
            assert_eq!(BinaryOp::from_name(op.name()), Some(*op));
        }
        let names: Vec<&str> = ReduceOp::ALL.iter().map(|op| op.name()).collect();
        assert_eq!(names, ["sum", "prod", "max", "min", "argMax", "argMin"]);
        assert_eq!(Activation::ALL.len(), 4);
        assert_eq!(UnaryOp::ALL.len(), 31);
    }
}

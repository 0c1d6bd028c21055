//! The string selectors the JS boundary (`src/wasm`) takes besides op and dtype names, one table
//! each: the boundary parses its argument with `parse` and matches the variant (so every name has its
//! arm), and `src/codegen` renders each table as a TS union and list (ts/generated/selectors.ts), so a
//! misspelt selector does not compile in TS.

macro_rules! selector {
    ($(#[doc = $doc:literal])* $ty:ident as $ts:literal { $($variant:ident => $name:literal,)+ }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($variant,)+
        }

        impl $ty {
            /// Every value, in table order.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];
            /// The name of the generated TS union.
            pub const TS_TYPE: &'static str = $ts;
            /// The doc comment, for the generated union.
            pub const DOC: &'static str = concat!($($doc),*);

            /// The value's name at the JS boundary.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }

            /// The value called `name`.
            pub fn parse(name: &str) -> Option<$ty> {
                Self::ALL.into_iter().find(|v| v.name() == name)
            }
        }
    };
}

selector! {
    /// A reduction over axes (`Tensor.reduce` at the boundary).
    Reduction as "ReductionName" {
        Sum => "sum",
        Mean => "mean",
        Max => "max",
        Min => "min",
        Prod => "prod",
        LogSumExp => "logsumexp",
    }
}

selector! {
    /// A second-moment statistic with a correction (`Tensor.moment`).
    Moment as "MomentName" {
        Var => "var",
        Std => "std",
    }
}

selector! {
    /// The position of an extreme along an axis (`Tensor.argReduce`).
    ArgReduction as "ArgReductionName" {
        ArgMax => "argmax",
        ArgMin => "argmin",
    }
}

selector! {
    /// A random distribution (`Tensor.random`).
    Distribution as "DistributionName" {
        Uniform => "uniform",
        Normal => "normal",
        Randint => "randint",
    }
}

selector! {
    /// How a convolution or pooling window is padded (the `pad_mode` of conv and pool).
    PadMode as "PadModeName" {
        Valid => "valid",
        Same => "same",
        Explicit => "explicit",
    }
}

selector! {
    /// A pooling (`Tensor.pool2d`).
    Pool as "PoolName" {
        Max => "max",
        Avg => "avg",
    }
}

/// Each table's TS union name, doc comment and names, for the code generator.
pub fn tables() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|&v| name(v)).collect()
    }
    vec![
        (Reduction::TS_TYPE, Reduction::DOC, names(&Reduction::ALL, Reduction::name)),
        (Moment::TS_TYPE, Moment::DOC, names(&Moment::ALL, Moment::name)),
        (ArgReduction::TS_TYPE, ArgReduction::DOC, names(&ArgReduction::ALL, ArgReduction::name)),
        (Distribution::TS_TYPE, Distribution::DOC, names(&Distribution::ALL, Distribution::name)),
        (PadMode::TS_TYPE, PadMode::DOC, names(&PadMode::ALL, PadMode::name)),
        (Pool::TS_TYPE, Pool::DOC, names(&Pool::ALL, Pool::name)),
    ]
}

//! Indexing ops: gather, index-select, scatter-add and one-hot, with int32 indices.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::Op;
use crate::tensor::Tensor;

impl Tensor {
    fn check_index(&self, op: &'static str, index: &Tensor) -> Result<()> {
        self.check_device(op, index)?;
        if index.dtype() != DType::I32 {
            return Err(Error::DType { op, dtype: index.dtype(), shape: index.shape().to_vec(), expected: "indices must be int32" });
        }
        Ok(())
    }

    /// `out[i][j] = self[i][index[i][j]]` along `axis` (PyTorch's `gather`): the output has the
    /// index's shape, which may be smaller than `self` on the other axes.
    pub fn gather(&self, axis: isize, index: &Tensor) -> Result<Tensor> {
        self.gather_named("gather", axis, index)
    }

    /// `gather`, reporting errors and GPU index faults under the user's op name `op`.
    fn gather_named(&self, op: &'static str, axis: isize, index: &Tensor) -> Result<Tensor> {
        let a = self.axis(op, axis)?;
        self.check_index(op, index)?;
        let fits = index.rank() == self.rank() && (0..self.rank()).all(|d| d == a || index.shape()[d] <= self.shape()[d]);
        if !fits {
            let why = "the index must have the input's rank and fit inside it off the gather axis";
            return Err(Error::ShapeMismatch { op, lhs: self.shape().to_vec(), rhs: index.shape().to_vec(), why });
        }
        let storage = self.device().gather(op, &self.storage(), self.layout(), a, &index.storage(), index.layout())?;
        let op = || Op::Gather { input: self.clone(), axis: a, index: index.clone() };
        Ok(self.derived(storage, index.shape(), op, &[self]))
    }

    /// The slices at positions `indices` (1-D int32) along `axis`.
    pub fn index_select(&self, axis: isize, indices: &Tensor) -> Result<Tensor> {
        let a = self.axis("indexSelect", axis)?;
        self.check_index("indexSelect", indices)?;
        if indices.rank() != 1 {
            return Err(Error::Rank { op: "indexSelect", expected: 1, got: indices.shape().to_vec() });
        }
        let mut shape = self.shape().to_vec();
        shape[a] = indices.shape()[0];
        let mut column = vec![1; self.rank()];
        column[a] = indices.shape()[0];
        self.gather_named("indexSelect", axis, &indices.reshape(&column)?.broadcast_to(&shape)?)
    }

    /// A copy of `self` with `src[i][j]` added at `[i][index[i][j]]` along `axis` (PyTorch's
    /// `scatter_add`); repeated indices accumulate.
    pub fn scatter_add(&self, axis: isize, index: &Tensor, src: &Tensor) -> Result<Tensor> {
        let a = self.axis("scatterAdd", axis)?;
        self.check_index("scatterAdd", index)?;
        self.check_device("scatterAdd", src)?;
        let fits = index.rank() == self.rank()
            && index.rank() == src.rank()
            && (0..self.rank()).all(|d| index.shape()[d] <= src.shape()[d] && (d == a || index.shape()[d] <= self.shape()[d]));
        if !fits {
            let why = "the index must fit inside the source, and inside the input off the scatter axis";
            return Err(Error::ShapeMismatch { op: "scatterAdd", lhs: self.shape().to_vec(), rhs: index.shape().to_vec(), why });
        }
        let dtype = self.dtype().promote(src.dtype());
        let (base, mut source) = (self.cast(dtype)?, src.cast(dtype)?);
        for d in 0..source.rank() {
            source = source.narrow(d as isize, 0, index.shape()[d])?;
        }
        let storage = self.device().scatter_add(
            "scatterAdd",
            &base.storage(),
            base.layout(),
            a,
            &index.storage(),
            index.layout(),
            &source.storage(),
            source.layout(),
        )?;
        let op = || Op::ScatterAdd { base: base.clone(), axis: a, index: index.clone(), src: source.clone() };
        Ok(base.derived(storage, base.shape(), op, &[&base, &source]))
    }

    /// Int32 class labels as one-hot int32 rows of `classes` columns (a new last axis). `classes`
    /// must be at least 1, and a label outside `[0, classes)` is an error naming `oneHot`, as in
    /// PyTorch (TF.js gives a zero row): on the CPU at the call, on WebGPU at the readback of the
    /// result (the labels are looked up with an index op, whose fault the result inherits).
    pub fn one_hot(&self, classes: usize) -> Result<Tensor> {
        let op = "oneHot";
        if self.dtype() != DType::I32 {
            return Err(Error::DType { op, dtype: self.dtype(), shape: self.shape().to_vec(), expected: "labels must be int32" });
        }
        if classes == 0 {
            return Err(Error::Invalid {
                op,
                msg: format!("the number of classes must be at least 1, got 0 (labels of shape {:?})", self.shape()),
            });
        }
        let mut shape = self.shape().to_vec();
        shape.push(classes);
        crate::layout::checked_numel(op, &shape)?;
        let range = Tensor::arange(0.0, classes as f64, 1.0, DType::I32, self.device())?;
        let labels = range.index_select(0, &self.reshape(&[self.numel()])?).map_err(|e| match e {
            Error::Index { index, size, .. } => {
                Error::Invalid { op, msg: format!("label {index} is outside [0, {size}) (labels of shape {:?})", self.shape()) }
            }
            e => e,
        })?;
        labels.reshape(self.shape())?.unsqueeze(-1)?.eq(&range)?.cast(DType::I32)
    }
}

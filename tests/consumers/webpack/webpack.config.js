// The whole webpack configuration a webgrad app needs: none beyond the mode.
export default { mode: 'production' };

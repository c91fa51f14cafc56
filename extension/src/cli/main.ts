console.log('natlens: not built yet');

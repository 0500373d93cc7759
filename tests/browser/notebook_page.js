// Helpers the browser tests call in the page, as window.d2lad.*. They reach JupyterLab
// through the app object it exposes (--LabApp.expose_app_in_browser=True).
window.d2lad = {
  panel() {
    return window.jupyterapp && window.jupyterapp.shell.currentWidget;
  },

  codeCells() {
    return this.panel().content.widgets.filter(cell => cell.model.type === 'code');
  },

  // True once `path` is open and has a kernel.
  opened(path) {
    const panel = this.panel();
    return Boolean(panel && panel.context && panel.context.path === path
                   && panel.context.isReady && panel.sessionContext.session
                   && panel.sessionContext.session.kernel);
  },

  // Clear every output, then start Run All; `runAll` tells when it has finished.
  async startRunAll() {
    const commands = window.jupyterapp.commands;
    await this.panel().sessionContext.ready;
    await commands.execute('notebook:clear-all-cell-outputs');
    this.runAll = 'running';
    commands.execute('notebook:run-all-cells').then(
      () => { this.runAll = 'finished'; },
      error => { this.runAll = String(error); });
  },

  // Per code cell, what the kernel sent (the cell's model) and what the page shows.
  state() {
    const size = element => {
      const box = element.getBoundingClientRect();
      return [box.width, box.height, element.tagName === 'IMG' ? element.naturalWidth : 1];
    };
    const cells = this.codeCells().map(cell => ({
      count: cell.model.executionCount,
      errors: cell.model.outputs.toJSON().filter(out => out.output_type === 'error')
        .map(out => `${out.ename}: ${out.evalue}`),
      text: cell.node.querySelector('.jp-Cell-outputWrapper').innerText,
      widgets: [...cell.node.querySelectorAll('.jp-OutputArea-output')]
        .filter(out => out.querySelector(':scope > .jupyter-widgets')).length,
      sliders: this.sliders(cell).length,
      svgs: [...cell.node.querySelectorAll('.jp-RenderedSVG img, .jp-RenderedSVG svg')].map(size),
    }));
    const kernel = this.panel().sessionContext.session.kernel.status;
    return {kernel, run: this.runAll, cells};
  },

  sliders(cell) {
    return cell.node.querySelectorAll('.jp-OutputArea-output .noUi-handle');
  },

  // A slider's handle and what its widget shows besides sliders: the outputs in the Output
  // view of an interact, the content of the HTML view of a stepper.
  slider(cellIndex, sliderIndex) {
    const handle = this.sliders(this.codeCells()[cellIndex])[sliderIndex];
    const widget = handle.closest('.jp-OutputArea-output');
    const views = '.widget-output .jp-OutputArea-output, .widget-html-content';
    return {
      views: [...widget.querySelectorAll(views)].map(view => view.innerHTML).join('\n'),
      value: handle.getAttribute('aria-valuetext'),  // noUiSlider's aria-valuenow can lag
      atMax: handle.getAttribute('aria-valuenow') === handle.getAttribute('aria-valuemax'),
      kernel: this.panel().sessionContext.session.kernel.status,
    };
  },

  // Focus a slider's handle, so that the test can press keys on it.
  focusSlider(cellIndex, sliderIndex) {
    const handle = this.sliders(this.codeCells()[cellIndex])[sliderIndex];
    handle.scrollIntoView({block: 'center'});
    handle.focus();
    return document.activeElement === handle;
  },
};

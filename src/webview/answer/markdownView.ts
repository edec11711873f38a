/**
 * One answer's Markdown in the page, rendered as it streams: the blocks that are final (every one
 * but the last) are rendered once and appended, only the last is redrawn, at most once a frame. So
 * nothing flickers, text already shown can be selected while the rest arrives, and the work per
 * token stays small however long the answer grows.
 */
import { renderBlocks } from './markdown';

export class MarkdownView {
  private source = '';
  /** Source offset up to which blocks are final and in {@link committed}. */
  private committedEnd = 0;
  private readonly committed: HTMLElement;
  private readonly live: HTMLElement;
  private frame: number | undefined;
  private streaming = true;

  /**
   * @param decorate called once for each final block (adds the code blocks' buttons)
   * @param onRendered called after each redraw (the page keeps the scroll at the bottom)
   */
  constructor(
    readonly element: HTMLElement,
    private readonly decorate: (block: HTMLElement) => void,
    private readonly onRendered: () => void,
  ) {
    this.committed = document.createElement('div');
    this.committed.className = 'md-committed';
    this.live = document.createElement('div');
    this.live.className = 'md-live';
    element.replaceChildren(this.committed, this.live);
  }

  get text(): string {
    return this.source;
  }

  append(text: string): void {
    this.source += text;
    this.frame ??= requestAnimationFrame(() => this.render());
  }

  /** Sets the whole text; `final` when no more will come. */
  set(text: string, final: boolean): void {
    if (!text.startsWith(this.source.slice(0, this.committedEnd))) this.reset();
    this.source = text;
    this.streaming = !final;
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.render();
  }

  private reset(): void {
    this.committedEnd = 0;
    this.committed.replaceChildren();
  }

  private render(): void {
    this.frame = undefined;
    const blocks = renderBlocks(this.source, this.committedEnd);
    const final = this.streaming ? blocks.slice(0, -1) : blocks;
    for (const block of final) {
      const element = blockElement(block.html);
      this.decorate(element);
      this.committed.append(element);
      this.committedEnd = block.end;
    }
    const last = this.streaming ? blocks.at(-1) : undefined;
    if (last) this.live.replaceChildren(blockElement(last.html));
    else this.live.replaceChildren();
    this.onRendered();
  }
}

/**
 * The renderer's HTML as elements. It is safe to parse: markdown-it escaped every piece of the
 * model's text (`html: false`) and wrote only its own tags and checked links (see markdown.ts).
 */
function blockElement(html: string): HTMLElement {
  const template = document.createElement('template');
  template.innerHTML = html;
  const block = document.createElement('div');
  block.className = 'md-block';
  block.append(template.content);
  return block;
}

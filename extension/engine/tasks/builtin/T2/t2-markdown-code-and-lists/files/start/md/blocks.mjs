import { renderInline } from "./inline.mjs";

function renderBlock(block) {
  const heading = /^(#{1,6}) (.*)$/.exec(block);
  if (heading) {
    const level = heading[1].length;
    return "<h" + level + ">" + renderInline(heading[2]) + "</h" + level + ">";
  }
  return "<p>" + renderInline(block.replace(/\n/g, " ")) + "</p>";
}

export function renderMarkdown(text) {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map(renderBlock)
    .join("\n");
}

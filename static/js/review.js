// The review queue: "tick all without errors" for the bulk approval. Without script the
// supervisor ticks the boxes one by one; nothing else depends on this file.
const form = document.querySelector('#queue');

document.addEventListener('click', (event) => {
  if (!event.target.matches('[data-select-clean]')) return;
  const boxes = [...(form ?? document).querySelectorAll('input[name="item"][data-clean]')];
  const tick = boxes.some((box) => !box.checked);
  for (const box of boxes) box.checked = tick;
});

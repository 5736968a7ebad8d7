import type { ComponentChildren } from 'preact';

/** A data table with its header row, scrolling sideways on a narrow screen instead of overflowing the page. */
export function Table({ head, testId, children }: { head: ComponentChildren[]; testId?: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            {head.map((cell, i) => (
              <th key={i}>{cell}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

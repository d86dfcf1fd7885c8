/**
 * Two small inline-SVG charts for the HTML report — no script, no external file, so the page works
 * offline and in a CI artifact viewer:
 *   categoryChart: horizontal bars, success rate per category, with the threshold as a dashed line;
 *   historyChart:  success rate over past runs (oldest left), with the threshold.
 */
import { pct, timestamp } from './format.js';
import { xmlEscape } from './xml.js';

export interface Bar {
  label: string;
  value: number;
}

export interface HistoryPoint {
  id: string;
  startedAt: string;
  successRate: number;
}

const COLORS = { pass: '#2e7d32', warn: '#f9a825', fail: '#c62828', axis: '#9e9e9e', text: '#212121', line: '#1565c0' };

function barColor(value: number, threshold: number): string {
  if (value > threshold) return COLORS.pass;
  if (value >= 50) return COLORS.warn;
  return COLORS.fail;
}

function fixed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function categoryChart(bars: readonly Bar[], threshold: number): string {
  const labelWidth = 190;
  const chartWidth = 360;
  const rowHeight = 26;
  const top = 10;
  const width = labelWidth + chartWidth + 70;
  const height = top + bars.length * rowHeight + 24;
  const x = (value: number): number => labelWidth + (Math.max(0, Math.min(100, value)) / 100) * chartWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="category-chart-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title id="category-chart-title">Success rate per category (threshold ${fixed(threshold)}%)</title>`,
  ];
  bars.forEach((bar, index) => {
    const y = top + index * rowHeight;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" fill="${COLORS.text}">${xmlEscape(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${chartWidth}" height="16" fill="#eeeeee"/>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${fixed(x(bar.value) - labelWidth)}" height="16" fill="${barColor(bar.value, threshold)}"><title>${xmlEscape(`${bar.label}: ${pct(bar.value)}`)}</title></rect>`,
      `<text x="${labelWidth + chartWidth + 6}" y="${y + 16}" fill="${COLORS.text}">${pct(bar.value)}</text>`,
    );
  });
  const tx = fixed(x(threshold));
  const bottom = top + bars.length * rowHeight;
  parts.push(
    `<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="${COLORS.text}" stroke-dasharray="4 3"/>`,
    `<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="${COLORS.text}">threshold ${fixed(threshold)}%</text>`,
    '</svg>',
  );
  return parts.join('');
}

export function historyChart(points: readonly HistoryPoint[], threshold: number): string {
  const width = 620;
  const height = 220;
  const left = 44;
  const right = 16;
  const top = 12;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (index: number): number => left + (points.length <= 1 ? plotW / 2 : (index / (points.length - 1)) * plotW);
  const y = (value: number): number => top + plotH - (Math.max(0, Math.min(100, value)) / 100) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="history-chart-title" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title id="history-chart-title">Overall success rate over the last ${points.length} run${points.length === 1 ? '' : 's'}</title>`,
  ];
  for (const tick of [0, 25, 50, 75, 100]) {
    parts.push(
      `<line x1="${left}" y1="${fixed(y(tick))}" x2="${width - right}" y2="${fixed(y(tick))}" stroke="#e0e0e0"/>`,
      `<text x="${left - 6}" y="${fixed(y(tick) + 4)}" text-anchor="end" fill="${COLORS.axis}">${tick}%</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${fixed(y(threshold))}" x2="${width - right}" y2="${fixed(y(threshold))}" stroke="${COLORS.text}" stroke-dasharray="4 3"><title>threshold ${fixed(threshold)}%</title></line>`,
  );
  if (points.length > 1) {
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fixed(x(i))} ${fixed(y(p.successRate))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${COLORS.line}" stroke-width="2"/>`);
  }
  points.forEach((point, index) => {
    const last = index === points.length - 1;
    parts.push(
      `<circle cx="${fixed(x(index))}" cy="${fixed(y(point.successRate))}" r="${last ? 5 : 3.5}" fill="${barColor(point.successRate, threshold)}" stroke="#ffffff"><title>${xmlEscape(`${point.id} (${timestamp(point.startedAt)}): ${pct(point.successRate)}`)}</title></circle>`,
    );
  });
  const first = points[0];
  const lastPoint = points[points.length - 1];
  if (first) parts.push(`<text x="${left}" y="${height - 12}" fill="${COLORS.axis}">${xmlEscape(first.id)}</text>`);
  if (lastPoint && points.length > 1) {
    parts.push(`<text x="${width - right}" y="${height - 12}" text-anchor="end" fill="${COLORS.axis}">${xmlEscape(lastPoint.id)} (this run)</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * An ECharts chart, loaded on first use (dynamic import of the tree-shaken core in ./echarts.ts). The chart
 * is an image to assistive technology, labelled by `label`; each chart on the dashboard sits next to a
 * table or a CSV link holding the same numbers.
 */
import { useEffect, useRef } from 'react';
import type { EChartsCoreOption } from 'echarts/core';

let loaded: Promise<typeof import('./echarts.ts')> | undefined;
const loadECharts = () => (loaded ??= import('./echarts.ts'));

export function Chart({
  option,
  label,
  height = 260,
}: {
  option: EChartsCoreOption;
  label: string;
  height?: number;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<{
    setOption(option: EChartsCoreOption, notMerge: boolean): void;
    dispose(): void;
    resize(): void;
  } | null>(null);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadECharts().then(({ echarts }) => {
      if (disposed || !element.current) return;
      const instance = echarts.init(element.current, undefined, { renderer: 'svg' });
      chart.current = instance;
      instance.setOption(option, true);
      observer = new ResizeObserver(() => instance.resize());
      observer.observe(element.current);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={element} role="img" aria-label={label} className="chart" style={{ height }} />;
}

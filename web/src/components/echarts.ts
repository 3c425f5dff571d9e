// The only ECharts parts the dashboard draws with, so that the lazy chunk stays small (tree-shaken core).
// The cohort heat map is an HTML table (readable by screen readers), so no heatmap chart is needed.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export { echarts };

package dev.sluice.driver;

import dev.sluice.routing.Router;
import java.sql.Statement;
import java.util.List;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.proxy.ProxyJdbcObject;

/**
 * The first listener of the datasource-proxy chain: after each execution it tells the listeners
 * that follow where the statement ran and whether it was retried, as the custom values {@link
 * #ROUTE} ({@code "read"} or {@code "write"}) and {@link #RETRIED} (Boolean) of the {@link
 * ExecutionInfo}. Stateless, thread-safe.
 */
public final class RouteListener implements QueryExecutionListener {
  public static final String ROUTE = "sluice.route";
  public static final String RETRIED = "sluice.retried";

  @Override
  public void beforeQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {}

  @Override
  public void afterQuery(ExecutionInfo execInfo, List<QueryInfo> queryInfoList) {
    Statement s = execInfo.getStatement();
    Object target = s instanceof ProxyJdbcObject proxy ? proxy.getTarget() : s;
    execInfo.addCustomValue(ROUTE, Router.lastRoute(target));
    execInfo.addCustomValue(RETRIED, Router.lastRetried(target));
  }
}
